"""The ``herbot`` command line. It uses the same domain code as the bot.

Each configured feature adds its subcommands through its ``Feature.cli``; other entry points
(the offline demo) through the ``herbot.commands`` entry-point group. A subcommand sets
``handler``, an async function ``(args, settings)`` returning the exit code, and may declare
with ``set_defaults``:

* ``long_running=True``: it logs its start at the configured level (one-shot commands print
  only their result);
* ``fast_loop=True``: it runs on uvloop when speed-ups are on (``bot/speed.py``). Only
  ``run`` does; everything else gets the standard library's loop, which simcord needs;
* ``on_config_error``: ``(args, error)`` answers settings that do not load, instead of the
  one-line configuration error (``herbot doctor`` reports it as its finding).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import entry_points
from pathlib import Path

from bot import __version__, doctor, speed
from bot.config import ConfigError, Settings, StartError, load_env_file, load_settings
from bot.feature import load_features
from bot.logs import setup_logging
from bot.presentation import plural

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "herbot.commands"
# What `herbot --help` opens with: plain text (the module docstring is for readers of the code).
DESCRIPTION = (
    "herbot: a Discord bot for communities discussing Her (2013). Run it, sync its slash "
    "commands, look after its database, and read its quotes, polls, debates and transcripts "
    "from the shell."
)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot import app
    from bot.db import is_url
    from bot.shards import ShardSet, parse_ids

    count = args.shard_count if args.shard_count is not None else settings.shard_count
    try:
        ids = parse_ids(args.shard_ids) if args.shard_ids else settings.shard_ids
        shards = ShardSet.of(count, ids)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if shards.sharded and not is_url(settings.database):
        if not shards.everything:  # the other shards run in other processes
            raise ConfigError(
                f"{shards.label()} in this process means several processes on one database, "
                "and several processes need PostgreSQL: set HERBOT_DATABASE_URL "
                "(docs/scaling.md), or run every shard in one process (leave out --shard-ids)"
            )
        log.warning(
            "one process runs all %d shards on SQLite: fine; a second process on this "
            "database would need PostgreSQL (docs/scaling.md)",
            shards.count,
        )
    settings = replace(settings, shard_count=count, shard_ids=ids)
    await app.guard_start(app.run_bot(settings))
    return 0


async def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from bot import app

    count = await app.guard_start(app.sync_commands(settings, args.guild))
    where = f"guild {args.guild}" if args.guild else "globally (may take up to an hour to show)"
    print(f"synced {plural(count, 'command')} {where}")
    return 0


async def _db_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import database, is_url, redacted_url
    from bot.migrations import current

    where = redacted_url(settings.database) if is_url(settings.database) else settings.database
    async with database(settings.database) as db:
        print(f"{where}: schema at revision {await current(db)}")
    return 0


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def _db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.backup import BackupError, backup
    from bot.db import DatabaseError, database, is_url, redacted_url

    where = redacted_url(settings.database) if is_url(settings.database) else settings.database
    if args.sqlite_copy and is_url(settings.database):
        print("herbot: --sqlite-copy copies a SQLite file; this is a server", file=sys.stderr)
        return 2
    local = None if is_url(settings.database) else Path(settings.database)
    if local is not None and not local.is_file():
        # Opening it would create (and migrate) an empty one.
        print(
            f"herbot: no database at {settings.database}: nothing to back up "
            "(check --db, HERBOT_DB or [bot] database in the settings).",
            file=sys.stderr,
        )
        return 1
    target = Path(args.path)
    if await asyncio.to_thread(target.exists) and not args.force:
        print(f"herbot: {target} already exists: pass --force to replace it", file=sys.stderr)
        return 1
    if args.sqlite_copy and local is not None:
        return await _sqlite_copy(local, target)
    try:
        async with database(settings.database) as db:
            manifest = await backup(db, target, _progress)
    except BackupError as exc:
        print(f"herbot: {exc}", file=sys.stderr)
        return 1
    except (DatabaseError, OSError) as exc:
        print(f"herbot: cannot read {where} ({exc}): is the server running?", file=sys.stderr)
        return 1
    size = (await asyncio.to_thread(target.stat)).st_size
    print(manifest.table())
    print(
        f"backed up {where} to {target} ({plural(manifest.total_rows, 'row')}, "
        f"{size / 1e6:.1f} MB, migration {manifest.head}): read back and verified"
    )
    return 0


async def _sqlite_copy(source: Path, target: Path) -> int:
    """The SQLite file itself, with SQLite's online backup (``--sqlite-copy``)."""
    from bot.db import database

    # Into a fresh file beside the target, then renamed over it: a backup into an existing
    # file would mix with its pages, and an interrupted one must not spoil the last good copy.
    partial = target.with_name(f".{target.name}.partial")
    await asyncio.to_thread(partial.unlink, missing_ok=True)
    try:
        async with database(source) as db:
            await db.backup(partial)
        await asyncio.to_thread(partial.replace, target)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
    print(f"backed up {source} to {target}")
    return 0


async def _db_restore(args: argparse.Namespace, settings: Settings) -> int:
    from bot.backup import BackupError, restore
    from bot.db import DatabaseError, is_url, redacted_url
    from bot.forget_ledger import LedgerError, for_settings

    where = redacted_url(settings.database) if is_url(settings.database) else settings.database
    source = Path(args.path)
    if not await asyncio.to_thread(source.is_file):
        print(f"herbot: no dump at {source}", file=sys.stderr)
        return 1
    ledger = for_settings(settings.database, settings.forget_ledger)
    try:
        report = await restore(
            settings.database,
            source,
            features=load_features(settings.features),
            ledger=ledger,
            progress=_progress,
        )
    except (BackupError, LedgerError) as exc:
        print(f"herbot: {exc}", file=sys.stderr)
        return 1
    except (DatabaseError, OSError) as exc:
        print(f"herbot: cannot restore into {where} ({exc})", file=sys.stderr)
        return 1
    manifest = report.manifest
    print(manifest.table())
    print(
        f"restored {source} (made {manifest.created:%Y-%m-%d %H:%M} UTC on {manifest.engine}, "
        f"migration {manifest.head}) into {where}: every table's rows verified; schema now at "
        f"{report.head}; {plural(report.reforgotten, 'member')} forgotten again from the "
        f"forget ledger {ledger.path}"
    )
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
    parser = argparse.ArgumentParser(prog="herbot", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"herbot {__version__}")
    parser.add_argument(
        "--settings",
        help="path to settings.toml (default: config/settings.toml, else herbot's own)",
    )
    parser.add_argument(
        "--db", help="database file or postgresql:// URL (overrides settings and environment)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run the bot (needs DISCORD_TOKEN)")
    p.add_argument(
        "--shard-count",
        type=int,
        metavar="N",
        help="several processes on one database: the bot's total shards (docs/scaling.md)",
    )
    p.add_argument(
        "--shard-ids",
        metavar="IDS",
        help="the shards this process runs, e.g. 0,1 or 0-3 (default: all of --shard-count)",
    )
    p.set_defaults(handler=_run, long_running=True, fast_loop=True)

    p = sub.add_parser("sync", help="sync slash commands with Discord (needs DISCORD_TOKEN)")
    p.add_argument("--guild", type=int, help="sync to one guild (instant) instead of globally")
    p.set_defaults(handler=_sync)

    p = sub.add_parser("db", help="database maintenance")
    dbsub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    m = dbsub.add_parser("migrate", help="apply pending migrations and print the version")
    m.set_defaults(handler=_db_migrate)
    b = dbsub.add_parser(
        "backup", help="dump the live database (SQLite or PostgreSQL) into a portable file"
    )
    b.add_argument("path", help="where to write the dump (a new file)")
    b.add_argument("--force", action="store_true", help="replace PATH if it exists")
    b.add_argument(
        "--sqlite-copy",
        action="store_true",
        help="SQLite only: copy the database file itself (SQLite's online backup) instead",
    )
    b.set_defaults(handler=_db_backup)
    r = dbsub.add_parser(
        "restore", help="restore a dump into an empty database; forgets the ledger's members"
    )
    r.add_argument("path", help="a file `herbot db backup` wrote")
    r.set_defaults(handler=_db_restore)
    c = dbsub.add_parser("copy", help="copy the SQLite database into an empty PostgreSQL one")
    c.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host/dbname")
    c.set_defaults(handler=_db_copy)
    doctor.register(sub)

    for feature in _features(settings_path):
        if feature.cli is not None:
            feature.cli(sub)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        entry.load()(sub)
    _accept_global_options(parser)
    return parser


GLOBAL_OPTIONS = {
    "--settings": "path to settings.toml (default: config/settings.toml, else herbot's own)",
    "--db": "database file (overrides settings and HERBOT_DB)",
}


def _accept_global_options(parser: argparse.ArgumentParser) -> None:
    """Let ``--settings`` and ``--db`` follow the subcommand too (``herbot run --db X``).

    Added to every subcommand that does not define the option itself (``demo --db`` is the
    demo's own file); ``SUPPRESS`` keeps a value given before the subcommand.
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for child in action.choices.values():
            for option, help_text in GLOBAL_OPTIONS.items():
                if option not in child._option_string_actions:
                    child.add_argument(option, default=argparse.SUPPRESS, help=help_text)
            _accept_global_options(child)


def _features(settings_path: Path | None) -> tuple:
    """The configured features, for their subcommands; none if the settings are broken
    (``main`` then reports the configuration error itself)."""
    try:
        return load_features(load_settings(settings_path, dotenv=False).features)
    except ConfigError:
        return ()
    except (ImportError, TypeError) as exc:  # a misspelt or broken feature module
        print(
            f"herbot: a configured feature does not load ({exc}): its commands are missing; "
            "`herbot doctor` checks the settings",
            file=sys.stderr,
        )
        return ()


def quieter(level: str) -> str:
    """At least WARNING: a one-shot command's output is its answer, not the start-up log."""
    return level if logging.getLevelName(level) >= logging.WARNING else "WARNING"


def _settings_option(argv: Sequence[str]) -> Path | None:
    for i, arg in enumerate(argv):
        if arg == "--settings" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--settings="):
            return Path(arg.split("=", 1)[1])
    return None


def _main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    load_env_file()  # first: HERBOT_CONFIG_DIR or HERBOT_SETTINGS there decide the features
    parser = build_parser(_settings_option(argv))
    args = parser.parse_args(argv)
    try:
        try:
            settings = load_settings(Path(args.settings) if args.settings else None)
        except ConfigError as exc:
            answer = getattr(args, "on_config_error", None)
            if answer is None:
                raise
            return int(answer(args, exc))
        if args.db:
            from bot.db import is_url

            database = args.db if is_url(args.db) else Path(args.db).resolve()
            settings = replace(settings, database=database)
        # One-shot commands print their result; start-up INFO lines are for long runs.
        long_running = getattr(args, "long_running", False)
        setup_logging(
            settings.log_level if long_running else quieter(settings.log_level),
            settings.log_format,
        )
        return speed.run(
            args.handler(args, settings),
            enabled=settings.speedups,
            fast_loop=getattr(args, "fast_loop", False),
        )
    except ConfigError as exc:
        print(f"herbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except StartError as exc:
        print(f"herbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


SIGPIPE_EXIT = 141  # 128 + SIGPIPE: what a shell reports for a command whose reader left


def main(argv: Sequence[str] | None = None) -> int:
    """The ``herbot`` entry point. A reader that goes away (``herbot ... | head -2``) ends the
    command quietly, as the shell's own commands end, instead of in a BrokenPipeError."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        # The recipe of Python's signal docs: nothing more can reach the reader, and stdout
        # points at devnull so the interpreter's last flush is quiet too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return SIGPIPE_EXIT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
