"""The PostgreSQL test run: every test's database is a fresh PostgreSQL database.

``HERBOT_TEST_POSTGRES=postgresql://user@host:port/postgres`` (``make test-postgres`` and
``.ci/run`` start a throwaway cluster and set it) switches the suite to PostgreSQL: each
SQLite path a test names maps to its own database, created from a migrated template (a file
copy on the server, ~10 ms, instead of running the migrations for every test). The same
path maps to the same database, so restarts reopen what the test wrote. Each test process
(each pytest-xdist worker of ``make test-postgres``) has its own template and databases.

Tests that only make sense on one engine say so: ``@pytest.mark.sqlite_only`` (files, WAL,
PRAGMAs, FTS5 internals) or ``@pytest.mark.postgres_only`` (several processes on one
database); the other run skips them with that reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg

ADMIN_URL = os.environ.get("HERBOT_TEST_POSTGRES", "")
# One template and one set of databases per test process: `make test` runs pytest-xdist workers
# (gw0, gw1, ...; named so in the server's database list) and runs may overlap (the pid).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TEMPLATE = f"herbot_template_{WORKER}_{os.getpid()}"

_lock = threading.Lock()
_created: set[str] = set()
_template_ready = False


def enabled() -> bool:
    return bool(ADMIN_URL)


def _url(name: str) -> str:
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


def _run(coro_factory):  # type: ignore[no-untyped-def]
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _build_template() -> None:
    from bot.db import Database

    await _admin(f"DROP DATABASE IF EXISTS {TEMPLATE}")
    await _admin(f"CREATE DATABASE {TEMPLATE}")
    db = await Database.open(_url(TEMPLATE))
    await db.close()


def database_for(target: Path | str) -> str:
    """The PostgreSQL URL standing in for the SQLite file ``target`` (created on first use)."""
    global _template_ready
    key = f"{os.getpid()}:{Path(target).resolve()}"
    name = "t_" + hashlib.sha1(key.encode()).hexdigest()[:20]
    with _lock:
        if not _template_ready:
            _run(_build_template)
            _template_ready = True
        if name not in _created:
            _run(lambda: _admin(f"DROP DATABASE IF EXISTS {name}"))
            _run(lambda: _admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
            _created.add(name)
    return _url(name)


def resolve(target: Path | str) -> Path | str:
    from bot.db import is_url

    return target if is_url(target) else database_for(target)


async def table_columns(db) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """Every table's columns and declared types, engine-internal storage left out.

    SQLite: ``sqlite_master`` with FTS5 tables but not their shadow tables. PostgreSQL:
    ``information_schema`` without generated columns (the tsvector stand-ins for FTS5, derived
    from classified columns) and ``rowid`` (SQLite's implicit row id made explicit).
    """
    tables: dict[str, dict[str, str]] = {}
    if db.dialect == "sqlite":
        rows = await db.fetchall(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        )
        virtual = {r["name"] for r in rows if (r["sql"] or "").upper().startswith("CREATE VIRT")}
        shadows = ("_data", "_idx", "_content", "_docsize", "_config")
        for row in rows:
            name = row["name"]
            if any(name == v + s for v in virtual for s in shadows):
                continue
            columns = await db.fetchall(f'PRAGMA table_info("{name}")')
            tables[name] = {c["name"]: (c["type"] or "").upper() for c in columns}
        return tables
    rows = await db.fetchall(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND is_generated = 'NEVER' AND column_name <> 'rowid' "
        "AND data_type <> 'tsvector' ORDER BY table_name, ordinal_position"
    )
    for row in rows:
        kind = "INTEGER" if row["data_type"] in {"bigint", "integer"} else row["data_type"].upper()
        tables.setdefault(row["table_name"], {})[row["column_name"]] = kind
    return tables


async def fts_tables(db) -> set[str]:  # type: ignore[no-untyped-def]
    """SQLite's FTS5 tables (PostgreSQL's tsvector columns follow their row: nothing to merge)."""
    if db.dialect != "sqlite":
        return set()
    rows = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
    )
    return {r["name"] for r in rows}


def empty_database(name: str) -> str:
    """A new database with no schema at all (for ``herbot db copy``'s target)."""
    _run(lambda: _admin(f"DROP DATABASE IF EXISTS {name}"))
    _run(lambda: _admin(f"CREATE DATABASE {name}"))
    return _url(name)


async def refuse(  # type: ignore[no-untyped-def]
    tx, name: str, table: str, when: str, message: str, *, where: str | None = None
) -> None:
    """Make the database refuse ``when`` (``INSERT``, ``UPDATE OF col``) on ``table``.

    How tests inject a failure on either engine: a trigger named ``name`` that aborts with
    ``message``; ``where`` (``NEW.user_id = 5``) refuses only the rows it holds for. On
    PostgreSQL it raises SQLSTATE HB001, the tests' own code, which ``.ci/test-postgres``'s
    server-log check expects. Undo it with :func:`allow`.
    """
    if tx.dialect == "sqlite":
        condition = f"WHEN {where} " if where else ""
        await tx.execute(
            f"CREATE TRIGGER {name} BEFORE {when} ON {table} {condition}"
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
        return
    await tx.execute(
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
        f"'BEGIN RAISE EXCEPTION ''{message}'' USING ERRCODE = ''HB001''; END'"
    )
    condition = f"WHEN ({where}) " if where else ""
    await tx.execute(
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH ROW {condition}"
        f"EXECUTE FUNCTION {name}()"
    )


async def allow(tx, name: str, table: str) -> None:  # type: ignore[no-untyped-def]
    """Drop the trigger :func:`refuse` made."""
    if tx.dialect == "sqlite":
        await tx.execute(f"DROP TRIGGER {name}")
        return
    await tx.execute(f"DROP TRIGGER {name} ON {table}")
    await tx.execute(f"DROP FUNCTION {name}()")
