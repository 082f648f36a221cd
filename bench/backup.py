"""Benchmark: ``herbot db backup`` and ``herbot db restore`` on both engines.

Run: ``python -m bench.backup`` (SQLite), ``python -m bench.backup --postgres
postgresql://user@host/postgres`` (both; databases ``herbot_bench_*`` are made and dropped
there), ``--votes N`` for the bigger database (default 200,000 votes inserted directly).

Two databases per engine: the prepared one (migrations, the curated quote store: what every
test starts from), and the same with N poll votes. For each: the dump's size, the backup
**quiet** (nothing else writes) and **busy** (a writer commits one vote after another while it
runs: the backup's snapshot must not stop it; its commits during the backup are shown), and
the restore into an empty database. The baseline, in the same run: SQLite's online backup of
the file (``--sqlite-copy``), and ``pg_dump -Fc`` on PostgreSQL when it is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):  # `python bench/backup.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from bot import backup as dump
from bot.config import load_settings
from bot.db import Database
from bot.feature import load_features
from bot.forget_ledger import ForgetLedger
from bot.prepare import prepare_database

STAMP = "2026-01-01T00:00:00.000000Z"


async def _add_votes(db: Database, count: int) -> None:
    async with db.transaction() as tx:
        poll = await tx.fetchval(
            "INSERT INTO polls (guild_id, channel_id, question, created_by, created_at) "
            "VALUES (1, 2, 'Is Samantha real?', 3, ?) RETURNING id",
            (STAMP,),
        )
        for position, label in enumerate(("For", "Against", "Undecided")):
            await tx.execute(
                "INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)",
                (poll, position, label),
            )
        for start in range(0, count, 1000):
            rows = [
                (poll, 10**17 + i, i % 3, STAMP) for i in range(start, min(count, start + 1000))
            ]
            marks = ", ".join(["(?, ?, ?, ?)"] * len(rows))
            await tx.execute(
                f"INSERT INTO poll_votes (poll_id, user_id, position, voted_at) VALUES {marks}",
                [v for row in rows for v in row],
            )


async def _busy_writer(db: Database, stop: asyncio.Event) -> int:
    """One vote a transaction on a poll of its own until ``stop``; returns the commits."""
    async with db.transaction() as tx:
        poll = await tx.fetchval(
            "INSERT INTO polls (guild_id, channel_id, question, created_by, created_at) "
            "VALUES (1, 2, 'Busy?', 3, ?) RETURNING id",
            (STAMP,),
        )
        await tx.execute(
            "INSERT INTO poll_options (poll_id, position, label) VALUES (?, 0, 'Yes')", (poll,)
        )
    commits = 0
    while not stop.is_set():
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO poll_votes (poll_id, user_id, position, voted_at) VALUES (?, ?, 0, ?)",
                (poll, 5 * 10**17 + commits, STAMP),
            )
        commits += 1
        await asyncio.sleep(0)
    return commits


async def _timed_backup(db: Database, path: Path, busy: bool) -> tuple[float, int]:
    await asyncio.to_thread(path.unlink, missing_ok=True)
    stop = asyncio.Event()
    writer = asyncio.create_task(_busy_writer(db, stop)) if busy else None
    await asyncio.sleep(0.05 if busy else 0)
    started = time.perf_counter()
    await dump.backup(db, path)
    seconds = time.perf_counter() - started
    stop.set()
    commits = await writer if writer is not None else 0
    return seconds, commits


async def _baseline(db: Database, work: Path, url: str | None) -> str:
    started = time.perf_counter()
    if db.path is not None:
        target = work / "baseline.db"
        target.unlink(missing_ok=True)
        await db.backup(target)
        return f"{time.perf_counter() - started:.2f} s / {target.stat().st_size / 1e3:,.0f} kB"
    if url is None or shutil.which("pg_dump") is None:
        return "pg_dump not installed"
    target = work / "baseline.pgdump"
    await asyncio.to_thread(subprocess.run, ["pg_dump", "-Fc", "-f", str(target), url], check=True)
    return f"{time.perf_counter() - started:.2f} s / {target.stat().st_size / 1e3:,.0f} kB"


async def _admin(admin: str, sql: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_url(admin: str, name: str) -> str:
    return f"{admin.rpartition('/')[0]}/{name}"


async def _engine_rows(engine: str, admin: str | None, votes: int, work: Path) -> list[list[str]]:
    settings = load_settings(env={"HERBOT_DB": str(work / "src.db")}, dotenv=False)
    features = load_features(settings.features)
    ledger = ForgetLedger(work / "ledger.jsonl")
    targets: list[str] = []

    async def fresh(name: str) -> Path | str:
        if admin is None:
            path = work / f"{name}.db"
            for p in await asyncio.to_thread(lambda: list(work.glob(f"{name}.db*"))):
                await asyncio.to_thread(p.unlink)
            return path
        await _admin(admin, f"DROP DATABASE IF EXISTS herbot_bench_{name}")
        await _admin(admin, f"CREATE DATABASE herbot_bench_{name}")
        targets.append(f"herbot_bench_{name}")
        return _pg_url(admin, f"herbot_bench_{name}")

    source = await fresh("src")
    db = await prepare_database(replace(settings, database=source))
    rows: list[list[str]] = []
    try:
        for label, extra in (("prepared", 0), (f"+{votes:,} votes", votes)):
            if extra:
                await _add_votes(db, extra)
            path = work / f"{engine}.dump"
            baseline = await _baseline(db, work, source if isinstance(source, str) else None)
            quiet, _ = await _timed_backup(db, path, busy=False)
            busy, commits = await _timed_backup(db, work / "busy.dump", busy=True)
            manifest = dump.read_manifest(path)
            target = await fresh("dst")
            started = time.perf_counter()
            await dump.restore(target, path, features=features, ledger=ledger)
            restored = time.perf_counter() - started
            rows.append(
                [
                    engine,
                    label,
                    f"{manifest.total_rows:,}",
                    f"{path.stat().st_size / 1e3:,.0f}",
                    baseline,
                    f"{quiet:.2f}",
                    f"{busy:.2f} ({commits} commits)",
                    f"{restored:.2f}",
                ]
            )
    finally:
        await db.close()
        if admin is not None:
            for name in targets:
                await _admin(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return rows


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=200_000)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also measure PostgreSQL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += await _engine_rows("sqlite", None, args.votes, Path(tmp))
        if args.postgres:
            rows += await _engine_rows("postgresql", args.postgres, args.votes, Path(tmp))
    head = [
        "engine",
        "database",
        "rows",
        "dump kB",
        "baseline (online copy / pg_dump)",
        "backup quiet s",
        "backup busy s",
        "restore s",
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, ["-" * w for w in widths], *rows]:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    asyncio.run(main())
