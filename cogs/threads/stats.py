"""Numbers about one recorded thread: participants, messages, busiest hours."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Reader


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
        "SELECT COUNT(*), COALESCE(SUM(deleted_at IS NOT NULL), 0), COALESCE(SUM(redacted), 0), "
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
