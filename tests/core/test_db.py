"""The data core: one owner of transactions, committed reads, online backup."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot import guild_settings, privacy
from bot.db import Database, IntegrityError, database


@pytest.mark.sqlite_only  # PRAGMAs
async def test_pragmas_hold_on_reader_and_writer_connections(tmp_path: Path):
    async with database(tmp_path / "a.db") as db:
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA secure_delete") == 1
        async with db.transaction() as tx:
            assert await tx.fetchval("PRAGMA foreign_keys") == 1
            assert await tx.fetchval("PRAGMA secure_delete") == 1


async def test_a_failed_transaction_leaves_nothing(tmp_path: Path):
    async with database(tmp_path / "a.db") as db:
        with pytest.raises(IntegrityError):
            async with db.transaction() as tx:
                await guild_settings.set_value(tx, 1, "qotd_time", "08:15")
                await tx.execute("INSERT INTO privacy_optouts (user_id, scope) VALUES (1, 'x')")
        assert await db.fetchval("SELECT count(*) FROM guild_settings") == 0


async def test_reads_see_only_committed_data(tmp_path: Path):
    async with database(tmp_path / "a.db") as db:
        async with db.transaction() as tx:
            await guild_settings.set_value(tx, 1, "qotd_time", "08:15")
            assert await tx.fetchval("SELECT count(*) FROM guild_settings") == 1
            assert await db.fetchval("SELECT count(*) FROM guild_settings") == 0
        assert await db.fetchval("SELECT count(*) FROM guild_settings") == 1


async def test_reads_cannot_write(tmp_path: Path):
    async with database(tmp_path / "a.db") as db:
        with pytest.raises(Exception, match=r"readonly|read-only"):
            await db.execute("DELETE FROM guild_settings")


async def test_one_coroutines_rollback_never_undoes_anothers_commit(tmp_path: Path):
    """The bug of the shared connection: a rollback landing on someone else's work."""
    async with database(tmp_path / "a.db") as db:
        acknowledged: list[int] = []

        async def good(i: int) -> None:
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO privacy_optouts (user_id, scope) VALUES (?, 'quote')", (i,)
                )
                await asyncio.sleep(0)
            acknowledged.append(i)

        async def bad(i: int) -> None:
            with pytest.raises(IntegrityError):
                async with db.transaction() as tx:
                    await tx.execute(
                        "INSERT INTO privacy_optouts (user_id, scope) VALUES (?, 'quote')",
                        (10_000 + i,),
                    )
                    await asyncio.sleep(0)
                    await tx.execute("INSERT INTO privacy_optouts VALUES (1, 'nope', 'x')")

        await asyncio.gather(*(good(i) if i % 2 else bad(i) for i in range(200)))
        stored = {r[0] for r in await db.fetchall("SELECT user_id FROM privacy_optouts")}
        assert stored == set(acknowledged)


async def test_nested_transactions_in_one_task_are_refused(tmp_path: Path):
    async with database(tmp_path / "a.db") as db, db.transaction():
        with pytest.raises(RuntimeError, match="already open"):
            async with db.transaction():
                pass


async def test_after_commit_runs_only_after_a_commit(tmp_path: Path):
    async with database(tmp_path / "a.db") as db:
        calls: list[str] = []
        async with db.transaction() as tx:
            tx.after_commit(lambda: calls.append("ok"))
        with pytest.raises(ValueError):
            async with db.transaction() as tx:
                tx.after_commit(lambda: calls.append("never"))
                raise ValueError
        assert calls == ["ok"]


async def test_a_savepoint_undoes_only_its_block(tmp_path: Path):
    async with database(tmp_path / "a.db") as db:
        async with db.transaction() as tx:
            await guild_settings.set_value(tx, 1, "qotd_time", "08:15")
            with pytest.raises(IntegrityError):
                async with tx.savepoint():
                    await guild_settings.set_value(tx, 2, "qotd_time", "08:15")
                    await tx.execute("INSERT INTO privacy_optouts VALUES (1, 'nope', 'x')")
        rows = await db.fetchall("SELECT guild_id FROM guild_settings")
        assert [r["guild_id"] for r in rows] == [1]


@pytest.mark.sqlite_only  # SQLite's online backup
async def test_backup_copies_the_live_database(tmp_path: Path):
    async with database(tmp_path / "live.db") as db:
        async with db.transaction() as tx:
            await guild_settings.set_value(tx, 1, "qotd_time", "08:15")
        target = await db.backup(tmp_path / "copy.db")
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT value FROM guild_settings").fetchall() == [("08:15",)]
    copy.close()


async def test_settings_are_validated_and_keyed_per_guild(tmp_path: Path):
    async with database(tmp_path / "s.db") as db:
        async with db.transaction() as tx:
            with pytest.raises(ValueError):
                await guild_settings.set_value(tx, 1, "qotd_channel_id", "general")
            await guild_settings.set_value(tx, 1, "qotd_channel_id", "42")
            await guild_settings.set_value(tx, 1, "qotd_channel_id", "43")  # upsert
            await guild_settings.set_value(tx, 2, "record_channel_ids", "5, 6")
        assert await guild_settings.get_all(db, 1) == {"qotd_channel_id": 43}
        assert await guild_settings.get(db, 2, "record_channel_ids") == [5, 6]


async def test_privacy_choices_are_idempotent(tmp_path: Path):
    db: Database
    async with database(tmp_path / "p.db") as db:
        async with db.transaction() as tx:
            assert await privacy.record_opt_out(tx, 7, "record") is True
            assert await privacy.record_opt_out(tx, 7, "record") is False
        assert await privacy.is_opted_out(db, 7, "record")
        assert not await privacy.is_opted_out(db, 7, "quote")
        await privacy.opt_in(db, 7, ["record"])
        assert await privacy.opted_out_users(db, "record") == set()


async def test_a_task_started_inside_a_transaction_may_open_its_own_after_it(tmp_path: Path):
    async with database(tmp_path / "a.db") as db:

        async def later() -> None:
            async with db.transaction() as tx:
                await guild_settings.set_value(tx, 2, "qotd_time", "09:00")

        async with db.transaction() as tx:
            await guild_settings.set_value(tx, 1, "qotd_time", "08:15")
            task = asyncio.create_task(later())  # e.g. a listener dispatched from here
        await task
        assert await db.fetchval("SELECT count(*) FROM guild_settings") == 2


async def test_stream_reads_in_batches_from_one_snapshot(tmp_path: Path):
    async with database(tmp_path / "a.db") as db:
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO privacy_optouts (user_id, scope) VALUES (?, 'quote')",
                [(i,) for i in range(1234)],
            )
        seen = [
            row["user_id"]
            async for row in db.stream(
                "SELECT user_id FROM privacy_optouts ORDER BY user_id", batch=100
            )
        ]
        assert seen == list(range(1234))


@pytest.mark.postgres_only
async def test_cached_statements_arm_no_timers_on_the_event_loop(tmp_path: Path):
    """asyncpg expires each cached statement with its own 300 s timer unless told not to.

    simcord's settle counts every pending loop timer as the bot's work: a 230-click burst
    waited out its 300 s settle deadline for these timers. The statement cache stays bounded
    by its size (LRU) instead.
    """
    async with database(tmp_path / "a.db") as db:
        await db.fetchval("SELECT count(*) FROM guild_settings")
        async with db.transaction() as tx:
            await guild_settings.set_value(tx, 1, "qotd_time", "08:15")
        scheduled = asyncio.get_running_loop()._scheduled  # type: ignore[attr-defined]
        expiries = [
            h for h in scheduled if "_on_entry_expired" in repr(getattr(h, "_callback", None))
        ]
        assert expiries == []
