"""The ``herbot`` command line. It uses the same domain code as the bot.

Each configured feature adds its subcommands through its ``Feature.cli``; other entry points
(the offline demo) through the ``herbot.commands`` entry-point group. A subcommand sets
``handler``, an async function ``(args, settings)`` returning the exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import entry_points
from pathlib import Path

from bot import __version__
from bot.config import ConfigError, Settings, load_settings
from bot.feature import load_features
from bot.logs import setup_logging

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "herbot.commands"


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import run_bot

    await run_bot(settings)
    return 0


async def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import sync_commands

    count = await sync_commands(settings, args.guild)
    where = f"guild {args.guild}" if args.guild else "globally (may take up to an hour to show)"
    print(f"synced {count} commands {where}")
    return 0


async def _db_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import database, is_url, redacted_url
    from bot.migrations import current

    where = redacted_url(settings.database) if is_url(settings.database) else settings.database
    async with database(settings.database) as db:
        print(f"{where}: schema at revision {await current(db)}")
    return 0


async def _db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import database

    async with database(settings.database) as db:
        target = await db.backup(args.path)
    print(f"backed up {settings.database} to {target}")
    return 0


async def _db_copy(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import is_url, redacted_url
    from bot.dbcopy import CopyRefused, copy_database

    if is_url(settings.database):
        print("herbot: db copy reads a SQLite file: unset HERBOT_DATABASE_URL", file=sys.stderr)
        return 2
    try:
        report = await copy_database(settings.database, args.to)
    except (CopyRefused, ValueError) as exc:
        print(f"herbot: {exc}", file=sys.stderr)
        return 1
    print(report.table())
    print(f"copied {settings.database} to {redacted_url(args.to)}: every table's rows verified")
    return 0


def build_parser(settings_path: Path | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="herbot", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"herbot {__version__}")
    parser.add_argument("--settings", help="path to settings.toml (default config/settings.toml)")
    parser.add_argument(
        "--db", help="database file or postgresql:// URL (overrides settings and environment)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run the bot (needs DISCORD_TOKEN)")
    p.set_defaults(handler=_run)

    p = sub.add_parser("sync", help="sync slash commands with Discord (needs DISCORD_TOKEN)")
    p.add_argument("--guild", type=int, help="sync to one guild (instant) instead of globally")
    p.set_defaults(handler=_sync)

    p = sub.add_parser("db", help="database maintenance")
    dbsub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    m = dbsub.add_parser("migrate", help="apply pending migrations and print the version")
    m.set_defaults(handler=_db_migrate)
    b = dbsub.add_parser("backup", help="copy the live database with SQLite's online backup")
    b.add_argument("path", help="where to write the copy")
    b.set_defaults(handler=_db_backup)
    c = dbsub.add_parser("copy", help="copy the SQLite database into an empty PostgreSQL one")
    c.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host/dbname")
    c.set_defaults(handler=_db_copy)

    for feature in _features(settings_path):
        if feature.cli is not None:
            feature.cli(sub)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        entry.load()(sub)
    return parser


def _features(settings_path: Path | None) -> tuple:
    """The configured features, for their subcommands; none if the settings are broken
    (``main`` then reports the configuration error itself)."""
    try:
        return load_features(load_settings(settings_path, dotenv=False).features)
    except ConfigError:
        return ()


def _settings_option(argv: Sequence[str]) -> Path | None:
    for i, arg in enumerate(argv):
        if arg == "--settings" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--settings="):
            return Path(arg.split("=", 1)[1])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_settings_option(argv))
    args = parser.parse_args(argv)
    try:
        settings = load_settings(Path(args.settings) if args.settings else None)
        if args.db:
            from bot.db import is_url

            database = args.db if is_url(args.db) else Path(args.db).resolve()
            settings = replace(settings, database=database)
        setup_logging(settings.log_level)
        return asyncio.run(args.handler(args, settings))
    except ConfigError as exc:
        print(f"herbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
