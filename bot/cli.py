"""The ``herbot`` command line. It uses the same domain code as the bot.

Each feature adds its subcommands through a ``register(subparsers)`` function in the modules
of :data:`FEATURE_CLIS`; a subcommand sets ``handler``, an async function ``(args, settings)``
returning the exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot import __version__
from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging

log = logging.getLogger(__name__)

FEATURE_CLIS = ("cogs.quotes.cli", "cogs.debate.cli", "cogs.threads.cli", "bot.demo")


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
    from bot.db import connect, schema_version

    db = await connect(settings.database)
    try:
        print(f"{settings.database}: schema version {await schema_version(db)}")
    finally:
        await db.close()
    return 0


async def _db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import backup, connect

    db = await connect(settings.database)
    try:
        target = await backup(db, args.path)
    finally:
        await db.close()
    print(f"backed up {settings.database} to {target}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="herbot", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"herbot {__version__}")
    parser.add_argument("--settings", help="path to settings.toml (default config/settings.toml)")
    parser.add_argument("--db", help="database file (overrides settings and HERBOT_DB)")
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

    for module_name in FEATURE_CLIS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(Path(args.settings) if args.settings else None)
        if args.db:
            settings = replace(settings, database=Path(args.db).resolve())
        setup_logging(settings.log_level)
        return asyncio.run(args.handler(args, settings))
    except ConfigError as exc:
        print(f"herbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
