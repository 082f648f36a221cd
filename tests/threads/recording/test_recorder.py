"""The recorder and the recording store on a real database: batching, quarantine, rules, config."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError
from cogs.threads.config import ThreadsConfig
from cogs.threads.recording import store
from cogs.threads.recording.recorder import Recorder
from tests import engines
from tests.threads.conftest import CHANNEL, T0, msg, scalar, start, start_recording, write


async def test_recorder_batches_in_order_and_keeps_versions_honest(db):
    await start(db)
    recorder = Recorder(db, flush_interval=1.0)
    m = msg(1, "first")
    recorder.add_message(m)
    recorder.add_edit(m.message_id, "first, edited", T0 + timedelta(minutes=1))
    recorder.add_edit(m.message_id, "first, edited", T0 + timedelta(minutes=2))  # no change
    recorder.add_message(m)  # a duplicate (backfill overlap) changes nothing
    recorder.add_edit(12345, "unknown message", T0)
    assert recorder.pending == 5 and await recorder.flush() == 5 and recorder.pending == 0
    assert await scalar(db, "SELECT COUNT(*) FROM recorded_versions") == 2
    recorder.add_delete(m.message_id, T0 + timedelta(minutes=3))
    recorder.add_message(m)  # a late duplicate never revives deleted text
    await recorder.flush()
    assert await scalar(db, "SELECT COUNT(*) FROM recorded_versions") == 0
    assert await scalar(db, "SELECT deleted_at IS NOT NULL FROM recorded_messages") == 1


async def test_a_flush_whose_every_item_fails_keeps_the_batch_for_the_next_attempt(db):
    await start(db)
    recorder = Recorder(db)
    recorder.add_message(msg(1))
    recorder.add_message(msg(2))
    async with db.transaction() as tx:
        if db.dialect == "sqlite":
            await tx.execute("DROP TRIGGER recorded_versions_fts_insert")
        await engines.refuse(tx, "boom", "recorded_versions", "INSERT", "disk full")
    with pytest.raises(Exception, match="disk full"):  # the database refuses everything
        await recorder.flush()
    assert recorder.pending == 2
    assert await scalar(db, "SELECT COUNT(*) FROM recorded_messages") == 0  # rolled back
    assert await scalar(db, "SELECT COUNT(*) FROM recorded_quarantine") == 0  # not a bad row
    async with db.transaction() as tx:
        await engines.allow(tx, "boom", "recorded_versions")
    assert await recorder.flush() == 2
    assert await scalar(db, "SELECT COUNT(*) FROM recorded_messages") == 2


async def quarantined(db) -> list[dict]:
    rows = await db.fetchall(
        "SELECT error_id, kind, channel_id, guild_id, message_id, member_id, happened_at, "
        "item, error FROM recorded_quarantine ORDER BY id"
    )
    return [dict(zip(row.keys(), row, strict=True)) for row in rows]


async def test_one_refused_message_is_quarantined_and_the_rest_of_its_batch_written(db):
    await start(db)
    recorder = Recorder(db, now=lambda: T0 + timedelta(hours=1))
    bad = msg(2, "the words the database refuses", author=7)
    recorder.add_message(msg(1))
    recorder.add_message(bad)
    recorder.add_edit(bad.message_id, "an edit of the refused message", T0 + timedelta(minutes=5))
    recorder.add_message(msg(3))
    recorder.add_event(CHANNEL, "renamed", "a new name", 7, T0 + timedelta(minutes=6))
    async with db.transaction() as tx:
        await engines.refuse(
            tx, "bad_row", "recorded_messages", "INSERT", "refused",
            where=f"NEW.message_id = {bad.message_id}",
        )  # fmt: skip
    assert await recorder.flush() == 5 and recorder.pending == 0
    assert recorder.quarantined_total == 2 and recorder.flushed_total == 3
    assert [r[0] for r in await db.fetchall("SELECT content FROM recorded_versions")] == [
        "message number 1",
        "message number 3",
    ]
    assert await scalar(db, "SELECT COUNT(*) FROM thread_events WHERE kind = 'renamed'") == 1
    message, edit = await quarantined(db)
    assert message["kind"] == "message" and edit["kind"] == "edit"
    assert message["error_id"] != edit["error_id"]
    assert (message["member_id"], edit["member_id"]) == (7, 7)  # the edit follows its author
    assert message["guild_id"] == 9 and message["channel_id"] == CHANNEL
    assert message["message_id"] == edit["message_id"] == bad.message_id
    kept = json.loads(message["item"])
    assert kept["content"] == "the words the database refuses" and kept["author_id"] == 7
    assert json.loads(edit["item"])["content"] == "an edit of the refused message"
    assert "refused" in message["error"]
    summary = await store.quarantine_summary(db, 9)
    assert summary.items == 2 and set(summary.error_ids) == {edit["error_id"], message["error_id"]}

    # Deleted on Discord afterwards: the member took the words back, the quarantine too.
    recorder.add_delete(bad.message_id, T0 + timedelta(minutes=7))
    await recorder.flush()
    assert await quarantined(db) == []


async def test_a_lone_bad_row_is_quarantined_after_a_few_attempts_not_retried_forever(db):
    from cogs.threads.recording.recorder import QUARANTINE_AFTER

    await start(db)
    recorder = Recorder(db)
    bad = msg(1, author=7)
    recorder.add_message(bad)
    async with db.transaction() as tx:
        await engines.refuse(
            tx, "bad_row", "recorded_messages", "INSERT", "refused",
            where=f"NEW.message_id = {bad.message_id}",
        )  # fmt: skip
    for _ in range(QUARANTINE_AFTER - 1):  # it may be the database: kept and tried again
        with pytest.raises(Exception, match="refused"):
            await recorder.flush()
        assert recorder.pending == 1 and await quarantined(db) == []
    assert await recorder.flush() == 1  # then it is kept on disk, not in memory
    assert recorder.pending == 0 and recorder.quarantined_total == 1
    assert [r["member_id"] for r in await quarantined(db)] == [7]


async def test_recorder_flushes_on_its_own_and_on_close(db):
    await start(db)
    recorder = Recorder(db, flush_interval=0.05, max_batch=3)
    recorder.start()
    for i in range(3):
        recorder.add_message(msg(i))  # the third reaches max_batch: an eager flush
    recorder.add_message(msg(10))
    assert await recorder.close() <= 1
    assert await scalar(db, "SELECT COUNT(*) FROM recorded_messages") == 4


async def test_redact_forget_retention_and_purge(db):
    await start(db)
    recorder = Recorder(db)
    for i in range(4):
        recorder.add_message(msg(i, author=1 + i % 2))
    await recorder.flush()
    assert await write(db, store.redact_author, 1) == 2
    assert await write(db, store.redact_author, 1) == 0
    assert await scalar(db, "SELECT COUNT(*) FROM recorded_versions") == 2
    assert (await write(db, store.forget_author, 1)).messages == 2
    assert await write(db, store.purge_older_than, 30, now=T0 + timedelta(days=31)) == 2
    recorder.add_message(msg(5))
    await recorder.flush()
    assert await write(db, store.purge_recording, CHANNEL) == 1
    if db.dialect == "sqlite":  # FTS5's table (PostgreSQL's tsvector goes with its row)
        assert await scalar(db, "SELECT COUNT(*) FROM recorded_versions_fts") == 0


async def test_start_stop_and_automatic_restart_rules(db):
    rec = await start(db)
    assert rec.active
    assert await write(db, store.stop_recording, CHANNEL, stopped_by=1, now=T0)
    assert not await write(db, store.stop_recording, CHANNEL, stopped_by=1, now=T0)
    _, started = await start_recording(
        db, name="x", reason="channel", started_by=None, now=T0, restart_stopped=False
    )
    assert not started  # an automatic start never overrides a moderator's stop
    _, started = await start_recording(db, name="x", started_by=2, now=T0)
    assert started


def test_config_validation():
    assert ThreadsConfig.from_section({}).flush_interval == 1.0
    with pytest.raises(ConfigError, match="flush_interval"):
        ThreadsConfig.from_section({"flush_interval": 0})
    with pytest.raises(ConfigError, match="unknown"):
        ThreadsConfig.from_section({"flush_intervall": 1})
    with pytest.raises(ConfigError, match="record_channel_ids"):
        ThreadsConfig.from_section({"record_channel_ids": ["general"]})


async def test_a_message_queued_for_a_purged_transcript_does_not_poison_the_batch(db):
    await start(db)
    recorder = Recorder(db)
    await write(db, store.purge_recording, CHANNEL)
    recorder.add_message(msg(1))
    await start(db, channel=501)
    recorder.add_message(replace(msg(2), channel_id=501))
    assert await recorder.flush() == 2
    assert await scalar(db, "SELECT channel_id FROM recorded_messages") == 501


MIGRATIONS = sorted(
    (Path(__file__).resolve().parents[3] / "bot/migrations/sql/sqlite").glob("*_threads*.sql")
)


@pytest.mark.sqlite_only  # PRAGMA table_info and the FTS5 table
async def test_privacy_classifies_every_column_of_every_recording_table(db):
    from cogs.threads.privacy import PRIVACY

    tables = {
        table
        for migration in MIGRATIONS
        for table in re.findall(r"CREATE (?:VIRTUAL )?TABLE (\w+)", migration.read_text())
    }
    assert set(PRIVACY.personal_columns) | set(PRIVACY.other_columns) == tables
    for table in tables:
        columns = {row[1] for row in await db.fetchall(f"PRAGMA table_info({table})")}
        personal = set(PRIVACY.personal_columns.get(table, ()))
        other = set(PRIVACY.other_columns.get(table, ()))
        assert not personal & other, table
        assert personal | other == columns, table
    assert PRIVACY.fts_tables == ("recorded_versions_fts",)
