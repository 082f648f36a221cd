"""Numbers about one recorded thread: participants, messages, busiest hours."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite


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


async def thread_stats(db: aiosqlite.Connection, channel_id: int, *, top: int = 10) -> ThreadStats:
    async with db.execute(
        "SELECT COUNT(*), COALESCE(SUM(deleted_at IS NOT NULL), 0), COALESCE(SUM(redacted), 0), "
        "COUNT(DISTINCT author_id), MIN(created_at), MAX(created_at) "
        "FROM recorded_messages WHERE channel_id = ?",
        (channel_id,),
    ) as cur:
        total, deleted, redacted, people, first_at, last_at = await cur.fetchone()
    async with db.execute(
        "SELECT COUNT(*) FROM recorded_versions v JOIN recorded_messages m USING (message_id) "
        "WHERE m.channel_id = ? AND v.version > 1",
        (channel_id,),
    ) as cur:
        (edits,) = await cur.fetchone()
    # The latest display name each author used in this thread.
    async with db.execute(
        "SELECT author_id, (SELECT author_name FROM recorded_messages x WHERE x.channel_id = ? "
        "AND x.author_id = m.author_id ORDER BY message_id DESC LIMIT 1), COUNT(*) AS n "
        "FROM recorded_messages m WHERE channel_id = ? AND redacted = 0 "
        "GROUP BY author_id ORDER BY n DESC, author_id LIMIT ?",
        (channel_id, channel_id, top),
    ) as cur:
        leaders = [Participant(a, name, n) for a, name, n in await cur.fetchall()]
    async with db.execute(
        "SELECT CAST(substr(created_at, 12, 2) AS INTEGER) AS hour, COUNT(*) AS n "
        "FROM recorded_messages WHERE channel_id = ? GROUP BY hour ORDER BY n DESC, hour LIMIT 3",
        (channel_id,),
    ) as cur:
        hours = [(h, n) for h, n in await cur.fetchall()]
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
