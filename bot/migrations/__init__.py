"""The one migration history, run by Alembic in one ascending order.

Each revision in ``versions/`` is named ``NNNN_<feature>_<what>.py`` and chains to the one
before it, so a new step can only be added after the newest: nothing is skipped by a counter
(``tests/core/test_migrations.py`` keeps that true). A revision runs its engine's SQL file from
``sql/<dialect>/`` when the step is plain DDL.

Databases made before Alembic kept the highest applied file number in ``PRAGMA user_version``;
:func:`upgrade` stamps them with the matching revision first and upgrades in place.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

if TYPE_CHECKING:
    from bot.db import Database

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SQL_DIR = HERE / "sql"

# Pre-Alembic releases: PRAGMA user_version (highest file applied) -> the revision it equals.
LEGACY_USER_VERSIONS = {1: "0001", 10: "0002", 11: "0003", 20: "0004", 30: "0005"}


def config(connection: Any = None, script_location: Path = HERE) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["connection"] = connection
    return cfg


def head(script_location: Path = HERE) -> str:
    heads = ScriptDirectory.from_config(config(script_location=script_location)).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migration history must have one head, it has {heads}")
    return heads[0]


def history(script_location: Path = HERE) -> list[str]:
    """Every revision, oldest first (``herbot doctor`` counts how far behind a database is)."""
    script = ScriptDirectory.from_config(config(script_location=script_location))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


_PG_PIECE = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|;|[^'";-]+|-""")


def _pg_statements(script: str) -> list[str]:
    """Split PostgreSQL DDL on ``;`` outside literals (function bodies are quoted strings)."""
    statements, buffer = [], ""
    for piece in _PG_PIECE.findall(script):
        if piece == ";":
            if _has_code(buffer):
                statements.append(buffer.strip())
            buffer = ""
        elif not piece.startswith("--"):
            buffer += piece
    if _has_code(buffer):
        statements.append(buffer.strip())
    return statements


def _has_code(text: str) -> bool:
    return any(part.strip() and not part.strip().startswith("--") for part in text.splitlines())


def sql_statements(script: str, dialect: str = "sqlite") -> list[str]:
    """Split a SQL file into statements (triggers' inner ``;`` included correctly)."""
    if dialect != "sqlite":
        return _pg_statements(script)
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if any(
                part.strip() and not part.strip().startswith("--") for part in buffer.splitlines()
            ):
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and any(
        p.strip() and not p.strip().startswith("--") for p in buffer.splitlines()
    ):
        statements.append(buffer.strip())
    return statements


def run_sql_file(name: str) -> None:
    """Inside a revision: run ``sql/<dialect>/<name>.sql`` statement by statement."""
    from alembic import op

    bind = op.get_bind()
    path = SQL_DIR / bind.dialect.name / f"{name}.sql"
    for statement in sql_statements(path.read_text(encoding="utf-8"), bind.dialect.name):
        bind.exec_driver_sql(statement)


def _legacy_revision(sync_conn: Any) -> str | None:
    """The revision a pre-Alembic SQLite database is at, or None."""
    if sync_conn.dialect.name != "sqlite":
        return None
    has_alembic = sync_conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'"
    ).first()
    if has_alembic:
        return None
    version = sync_conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
    applied = [number for number in LEGACY_USER_VERSIONS if number <= version]
    return LEGACY_USER_VERSIONS[max(applied)] if applied else None


def _upgrade(sync_conn: Any, script_location: Path, target: str) -> None:
    cfg = config(sync_conn, script_location)
    legacy = _legacy_revision(sync_conn)
    if legacy is not None:
        log.info("stamping a database made before Alembic at revision %s", legacy)
        command.stamp(cfg, legacy)
    command.upgrade(cfg, target)
    if sync_conn.in_transaction():
        sync_conn.commit()


async def upgrade(db: Database, script_location: Path = HERE, target: str = "head") -> None:
    """Bring the schema up to ``target``; each revision commits on its own.

    Under ``db.startup_lock()``: a second process starting at the same moment waits here,
    then finds the schema current and has nothing to do (docs/scaling.md).
    """
    logging.getLogger("alembic").setLevel(logging.WARNING)  # no INFO lines on every start
    async with db.startup_lock(), db.connection() as conn:
        await conn.run_sync(_upgrade, script_location, target)


async def current(db: Database) -> str | None:
    row = None
    try:
        row = await db.fetchone("SELECT version_num FROM alembic_version")
    except Exception:  # no table yet
        return None
    return None if row is None else str(row[0])
