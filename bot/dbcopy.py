"""``herbot db copy --to postgresql://...``: move a community's SQLite database to PostgreSQL.

The target must be empty (no table at all): the copy creates the schema with the same
migrations, replaces the rows the migrations seed, copies every table in foreign-key order in
one transaction, moves identity sequences past the copied ids, and verifies the row count of
every table before it reports success. SQLite's implicit ``rowid`` (the full-text and vector
key) is copied into PostgreSQL's explicit ``rowid`` column, so /ask's cached vectors and any
stored ids keep pointing at the same rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from bot.db import Database, redacted_url

log = logging.getLogger(__name__)

BATCH = 1000
SKIPPED = {"alembic_version"}


class CopyRefused(Exception):
    """The copy cannot start (a non-empty target, a source that is not SQLite)."""


@dataclass
class CopyReport:
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows in both databases

    def table(self) -> str:
        width = max((len(t) for t in self.counts), default=5)
        lines = [f"{'table':<{width}}  rows"]
        lines += [f"{t:<{width}}  {n:>6}" for t, n in self.counts.items()]
        return "\n".join(lines)


async def _sqlite_tables(source: Database) -> list[str]:
    """Plain tables (no FTS5 tables or their storage), parents before children."""
    rows = await source.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
    )
    virtual = {r["name"] for r in rows if (r["sql"] or "").upper().startswith("CREATE VIRTUAL")}
    names = [
        r["name"]
        for r in rows
        if r["name"] not in virtual
        and r["name"] not in SKIPPED
        and not any(r["name"].startswith(v + "_") for v in virtual)
    ]
    parents: dict[str, set[str]] = {}
    for name in names:
        keys = await source.fetchall(f'PRAGMA foreign_key_list("{name}")')
        parents[name] = {k["table"] for k in keys if k["table"] != name}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:
            raise CopyRefused(f"foreign keys form a cycle among {set(names) - set(ordered)}")
        ordered.extend(sorted(ready))
    return ordered


async def _target_columns(target: Database, table: str) -> list[str]:
    rows = await target.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position",
        (table,),
    )
    return [r[0] for r in rows]


async def _refuse_non_empty(url: str) -> None:
    probe = await Database.open(url, migrate=False)
    try:
        tables = await probe.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
    finally:
        await probe.close()
    if tables:
        raise CopyRefused(
            f"{redacted_url(url)} already has {tables} tables: copy into a new, empty database "
            "so nothing there is overwritten (docs/scaling.md, 'Moving a community's SQLite "
            "database up')"
        )


async def copy_database(source_path: Path | str, url: str) -> CopyReport:
    """Copy the SQLite database at ``source_path`` into the empty PostgreSQL ``url``."""
    await _refuse_non_empty(url)
    source = await Database.open(source_path)  # migrated to head, like the target below
    try:
        if source.dialect != "sqlite":
            raise CopyRefused("the source must be a SQLite file (HERBOT_DB or --db)")
        target = await Database.open(url)
        try:
            return await _copy(source, target)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(source: Database, target: Database) -> CopyReport:
    tables = await _sqlite_tables(source)
    report = CopyReport()
    async with target.transaction() as tx:
        for table in reversed(tables):  # the rows migrations seeded make way for the copy
            await tx.execute(f'DELETE FROM "{table}"')
        for table in tables:
            wanted = await _target_columns(target, table)
            have = {r["name"] for r in await source.fetchall(f'PRAGMA table_info("{table}")')}
            columns = [c for c in wanted if c in have or c == "rowid"]
            select = ", ".join(f'"{c}"' if c != "rowid" else "rowid" for c in columns)
            insert = (
                f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            batch: list[tuple[object, ...]] = []
            async for row in source.stream(f'SELECT {select} FROM "{table}"'):
                batch.append(tuple(row))
                if len(batch) >= BATCH:
                    await tx.executemany(insert, batch)
                    batch = []
            await tx.executemany(insert, batch)
        identities = await tx.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND is_identity = 'YES'"
        )
        for table, column in identities:
            await tx.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                f'coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)'
            )
        for table in tables:
            expected = await source.fetchval(f'SELECT count(*) FROM "{table}"')
            copied = await tx.fetchval(f'SELECT count(*) FROM "{table}"')
            if expected != copied:  # raised inside the block: nothing stays half-copied
                raise RuntimeError(f"{table}: {expected} rows in SQLite, {copied} copied")
            report.counts[table] = int(copied)
    log.info("copied %d tables into %s", len(tables), redacted_url(target.url))
    return report
