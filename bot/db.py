"""The SQLite database: opening, numbered migrations and online backup.

One aiosqlite connection is opened by the async main before extensions load and closed on
shutdown. Migrations are plain SQL files ``bot/migrations/NNNN_name.sql``; the highest
applied number is kept in ``PRAGMA user_version``. Feature number ranges: core 1-9,
quotes 10-19, debate 20-29, thread recording 30-39.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file name {path.name!r} is not NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations share number {version}")
        found[version] = Migration(version, path.stem, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


async def schema_version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: aiosqlite.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every migration newer than ``user_version``, each in its own transaction."""
    current = await schema_version(db)
    applied: list[str] = []
    for migration in load_migrations(directory):
        if migration.version <= current:
            continue
        # executescript would COMMIT first; wrap the file so a failure leaves nothing behind.
        script = f"BEGIN;\n{migration.sql}\n;PRAGMA user_version = {migration.version};\nCOMMIT;"
        try:
            await db.executescript(script)
        except sqlite3.Error:
            await db.rollback()
            raise
        log.info("applied migration %s", migration.name)
        applied.append(migration.name)
    return applied


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open the database with WAL and foreign keys on, and bring its schema up to date."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = await aiosqlite.connect(path)
    db.row_factory = aiosqlite.Row
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA foreign_keys = ON")
    await db.execute("PRAGMA synchronous = NORMAL")
    await db.execute("PRAGMA busy_timeout = 5000")
    await migrate(db)
    return db


@asynccontextmanager
async def open_db(path: Path | str) -> AsyncIterator[aiosqlite.Connection]:
    db = await connect(path)
    try:
        yield db
    finally:
        await db.close()


async def backup(db: aiosqlite.Connection, target: Path | str) -> Path:
    """Copy the live database to ``target`` with SQLite's online backup API."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # aiosqlite runs the copy on its own thread, so the target must allow that.
    dest = sqlite3.connect(target, check_same_thread=False)
    try:
        await db.backup(dest)
    finally:
        dest.close()
    return target
