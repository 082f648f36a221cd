"""Several starters on one empty database: one migrates, the others wait and find it current.

Two processes started at once (two shard processes of a deployment, or `herbot run` beside
`herbot db migrate`) used to run the same Alembic history side by side: on PostgreSQL the
second died creating a table the first had just made (``UniqueViolationError ...
pg_type_typname_nsp_index``). The upgrade, and the seeding `herbot run` does after it, now
run under one lock (``Database.startup_lock``: ``pg_advisory_lock`` on PostgreSQL, a lock
file beside the SQLite file). Both engines; each test gets a database with no schema at all
and starts two real processes on it at the same moment.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.db import Database
from bot.migrations import head
from tests import engines

ROOT = Path(__file__).resolve().parents[2]

# What `herbot run` does before it connects to Discord: open, migrate, seed.
PREPARE = (
    "import asyncio\n"
    "from bot.config import load_settings\n"
    "from bot.migrations import current\n"
    "from bot.prepare import prepare_database\n"
    "async def main():\n"
    "    db = await prepare_database(load_settings())\n"
    "    quotes = await db.fetchval('SELECT count(*) FROM quotes')\n"
    "    print(f'schema at revision {await current(db)}, {quotes} quotes')\n"
    "    await db.close()\n"
    "asyncio.run(main())\n"
)
STARTERS = {
    "herbot db migrate": ["-m", "bot", "db", "migrate"],
    "herbot run's preparation": ["-c", PREPARE],
}


def empty_target(tmp_path: Path, name: str) -> str | Path:
    """A database with no schema: a new PostgreSQL database, or a path with no file yet."""
    if engines.enabled():
        return engines.empty_database(f"{name}_{os.getpid()}")
    return tmp_path / f"{name}.db"


@pytest.mark.slow
@pytest.mark.parametrize("starter", list(STARTERS))
async def test_two_processes_starting_at_once_on_an_empty_database_both_succeed(
    tmp_path: Path, starter: str
):
    target = empty_target(tmp_path, "two_starters")
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env.update(HERBOT_DATABASE_URL="", HERBOT_DB=str(target), PYTHONPATH=str(ROOT))
    if engines.enabled():
        env["HERBOT_DATABASE_URL"] = str(target)
    env["HERBOT_SETTINGS"] = str(ROOT / "herbot_config" / "settings.toml")
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            *STARTERS[starter],
            cwd=tmp_path,  # no stray .env is read
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in processes))
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
        assert f"schema at revision {head()}" in out.decode()
    db = await Database.open(target, migrate=False)
    try:
        assert await db.fetchall("SELECT version_num FROM alembic_version") == [(head(),)]
        if starter != "herbot db migrate":  # seeded once, both saw the same store
            quotes = await db.fetchval("SELECT count(*) FROM quotes")
            assert quotes > 0
            assert [o.decode().split(", ")[1] for o, _ in outputs] == [f"{quotes} quotes\n"] * 2
    finally:
        await db.close()
