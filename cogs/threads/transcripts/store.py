"""What /transcript reads of the recorded tables: one kept message, one thread's numbers.

Readers only: they take any :class:`~bot.db.Reader` (the database, committed data only, or
the transaction a *Save as quote* runs in). The recording room writes these tables
(:mod:`cogs.threads.recording.store`); full-text search is :mod:`cogs.threads.transcripts.search`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Reader


@dataclass(frozen=True, slots=True)
class KeptMessage:
    message_id: int
    channel_id: int
    guild_id: int
    author_id: int
    author_name: str
    created_at: str
    content: str | None  # latest version; None when deleted or redacted
    channel_name: str = ""


async def kept_message(db: Reader, message_id: int) -> KeptMessage | None:
    row = await db.fetchone(
        "SELECT m.message_id, m.channel_id, m.guild_id, m.author_id, m.author_name, "
        "m.created_at, (SELECT content FROM recorded_versions v WHERE v.message_id = m.message_id "
        "ORDER BY version DESC LIMIT 1), r.name "
        "FROM recorded_messages m JOIN thread_recordings r USING (channel_id) "
        "WHERE m.message_id = ?",
        (message_id,),
    )
    if row is None:
        return None
    return KeptMessage(*row[:8])  # the columns in field order, channel_name last


# --- numbers about one thread (/transcript stats) ----------------------------------------


@dataclass(frozen=True, slots=True)
class Participant:
    author_id: int
    name: str
    messages: int


@dataclass(frozen=True, slots=True)
class ThreadStats:
    messages: int
    edits: int
    deleted: int
    redacted: int
    participants: int
    top: list[Participant]
    busiest_hours: list[tuple[int, int]]  # (UTC hour, messages), busiest first
    first_at: str | None
    last_at: str | None


async def thread_stats(db: Reader, channel_id: int, *, top: int = 10) -> ThreadStats:
    row = await db.fetchone(
        "SELECT COUNT(*), COUNT(deleted_at), COALESCE(SUM(redacted), 0), "
        "COUNT(DISTINCT author_id), MIN(created_at), MAX(created_at) "
        "FROM recorded_messages WHERE channel_id = ?",
        (channel_id,),
    )
    assert row is not None
    total, deleted, redacted, people, first_at, last_at = row
    edits = await db.fetchval(
        "SELECT COUNT(*) FROM recorded_versions v JOIN recorded_messages m USING (message_id) "
        "WHERE m.channel_id = ? AND v.version > 1",
        (channel_id,),
    )
    # The latest display name each author used in this thread.
    rows = await db.fetchall(
        "SELECT author_id, (SELECT author_name FROM recorded_messages x WHERE x.channel_id = ? "
        "AND x.author_id = m.author_id ORDER BY message_id DESC LIMIT 1), COUNT(*) AS n "
        "FROM recorded_messages m WHERE channel_id = ? AND redacted = 0 "
        "GROUP BY author_id ORDER BY n DESC, author_id LIMIT ?",
        (channel_id, channel_id, top),
    )
    leaders = [Participant(a, name, n) for a, name, n in rows]
    rows = await db.fetchall(
        "SELECT CAST(substr(created_at, 12, 2) AS INTEGER) AS hour, COUNT(*) AS n "
        "FROM recorded_messages WHERE channel_id = ? GROUP BY hour ORDER BY n DESC, hour LIMIT 3",
        (channel_id,),
    )
    hours = [(h, n) for h, n in rows]
    return ThreadStats(
        messages=total,
        edits=edits,
        deleted=deleted,
        redacted=redacted,
        participants=people,
        top=leaders,
        busiest_hours=hours,
        first_at=first_at,
        last_at=last_at,
    )
