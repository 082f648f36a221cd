"""``herbot quotes import [DIR|FILE.json] | export [DIR] [--json FILE] | validate [DIR]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import Settings
from bot.db import database
from bot.presentation import plural
from cogs.quotes import curated, import_store
from cogs.quotes.config import QuotesConfig


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quotes", help="the curated quote store: import, export, validate")
    qsub = p.add_subparsers(dest="quotes_command", required=True, metavar="ACTION")

    i = qsub.add_parser(
        "import",
        help="import herbot_config/quotes/ (or DIR) by id, keeping moderators' edits; "
        "or a JSON file from /quote export into --guild",
    )
    i.add_argument("path", nargs="?", help="curated dir (default from settings) or FILE.json")
    i.add_argument("--guild", type=int, help="for a JSON file: the guild to import into")
    i.set_defaults(handler=_import)

    e = qsub.add_parser("export", help="write the curated store back as TOML (or JSON)")
    e.add_argument("path", nargs="?", help="directory to write (default: the curated dir)")
    e.add_argument("--json", dest="json_file", help="write everything as JSON to this file")
    e.add_argument("--guild", type=int, help="with --json: the store as this guild sees it")
    e.set_defaults(handler=_export)

    v = qsub.add_parser("validate", help="check the curated files without touching the database")
    v.add_argument("path", nargs="?", help="curated dir (default from settings)")
    v.set_defaults(handler=_validate)


def _read_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _dir(args: argparse.Namespace, config: QuotesConfig) -> Path:
    return Path(args.path).resolve() if args.path else config.curated_dir


async def _validate(args: argparse.Namespace, settings: Settings) -> int:
    config = QuotesConfig.from_settings(settings)
    directory = _dir(args, config)
    loaded = curated.load(directory, max_text=config.max_text_length)
    for problem in loaded.problems:
        print(problem)
    print(
        f"{directory}: {plural(len(loaded.sources), 'source')}, "
        f"{plural(len(loaded.quotes), 'quote')}, {plural(len(loaded.problems), 'problem')}"
    )
    return 0 if loaded.ok else 1


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    config = QuotesConfig.from_settings(settings)
    if args.path and args.path.endswith(".json"):
        if args.guild is None:
            print("herbot: a JSON import needs --guild GUILD_ID", file=sys.stderr)
            return 2
        try:
            data = _read_json(Path(args.path))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            print(f"herbot: cannot read {args.path}: {exc}", file=sys.stderr)
            return 1
        async with database(settings.database) as db:
            try:
                async with db.transaction() as tx:  # all or nothing
                    report = await import_store.import_json(
                        tx, data, args.guild, max_text=config.max_text_length
                    )
            except ValueError as exc:  # rolled back: nothing of the file was kept
                for problem in exc.args[0]:
                    print(problem)
                print("nothing was imported")
                return 1
        print(f"imported {args.path}: {report.summary()}")
        return 0
    directory = _dir(args, config)
    loaded = curated.load(directory, max_text=config.max_text_length)
    for problem in loaded.problems:
        print(problem)
    async with database(settings.database) as db, db.transaction() as tx:
        report = await import_store.import_curated(tx, loaded)  # no seeding: exactly this dir
    print(f"imported {directory}: {report.summary()}")
    return 0 if loaded.ok else 1


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    config = QuotesConfig.from_settings(settings)
    async with database(settings.database) as db:  # the database as it is, never seeded
        if args.json_file:
            data = await import_store.export_json(db, args.guild)
            _write_json(Path(args.json_file), data)
            print(f"wrote {plural(len(data['quotes']), 'quote')} to {args.json_file}")
            return 0
        sources, quotes = await import_store.export_curated(db)
    files = curated.export(_dir(args, config), sources, quotes)
    written = f"{plural(len(quotes), 'quote')} in {plural(len(files), 'file')}"
    print(f"wrote {written} to {_dir(args, config)}")
    return 0
