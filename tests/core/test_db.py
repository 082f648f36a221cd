from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot import guild_settings, privacy
from bot.db import backup, connect, load_migrations, migrate, schema_version


async def test_migrations_apply_once_and_track_user_version(tmp_path: Path):
    db = await connect(tmp_path / "a.db")
    try:
        latest = load_migrations()[-1].version
        assert await schema_version(db) == latest
        assert await migrate(db) == []  # nothing left to apply
        async with db.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with db.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1
    finally:
        await db.close()


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path):
    migrations = tmp_path / "m"
    migrations.mkdir()
    (migrations / "0001_ok.sql").write_text("CREATE TABLE a (x);")
    (migrations / "0002_bad.sql").write_text("CREATE TABLE b (x); INSERT INTO nope VALUES (1);")
    import aiosqlite

    db = await aiosqlite.connect(tmp_path / "b.db")
    try:
        with pytest.raises(sqlite3.Error):
            await migrate(db, migrations)
        assert await schema_version(db) == 1
        async with db.execute("SELECT name FROM sqlite_master WHERE name = 'b'") as cur:
            assert await cur.fetchone() is None
    finally:
        await db.close()


async def test_backup_copies_the_live_database(tmp_path: Path):
    db = await connect(tmp_path / "live.db")
    try:
        await guild_settings.set_value(db, 1, "qotd_time", "08:15")
        target = await backup(db, tmp_path / "copy.db")
    finally:
        await db.close()
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT value FROM guild_settings").fetchall() == [("08:15",)]
    copy.close()


async def test_settings_are_validated_and_keyed_per_guild(tmp_path: Path):
    db = await connect(tmp_path / "s.db")
    try:
        with pytest.raises(ValueError):
            await guild_settings.set_value(db, 1, "qotd_channel_id", "general")
        await guild_settings.set_value(db, 1, "qotd_channel_id", "42")
        await guild_settings.set_value(db, 1, "qotd_channel_id", "43")  # upsert, no duplicate
        await guild_settings.set_value(db, 2, "record_channel_ids", "5, 6")
        assert await guild_settings.get_all(db, 1) == {"qotd_channel_id": 43}
        assert await guild_settings.get(db, 2, "record_channel_ids") == [5, 6]
    finally:
        await db.close()


async def test_privacy_choices_are_idempotent(tmp_path: Path):
    db = await connect(tmp_path / "p.db")
    try:
        assert await privacy.opt_out(db, 7, "record") is True
        assert await privacy.opt_out(db, 7, "record") is False
        assert await privacy.is_opted_out(db, 7, "record")
        assert not await privacy.is_opted_out(db, 7, "quote")
        assert await privacy.opt_in(db, 7, "record") is True
        assert await privacy.opted_out_users(db, "record") == set()
    finally:
        await db.close()
