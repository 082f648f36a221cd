"""Catch-up's SQL: the pending gaps of recorded conversations and the marks it sets.

A gap (``recording_catchup``) is opened for every active recording when herbot starts or
resumes, and its cursor moves down in the same transaction that stores each page, so a
catch-up interrupted by another crash goes on from its last stored page. The messages
themselves are written by the recorder's own writer (:func:`recorder.write_or_quarantine`),
the same as live ones; this module only marks them recovered or deleted while down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import Reader, Transaction
from cogs.threads.recording.catchup import Kept, resume_point
from cogs.threads.records import parse_stamp, snowflake_at, stamp


@dataclass(frozen=True, slots=True)
class Gap:
    channel_id: int
    guild_id: int
    after_id: int
    before_id: int | None
    fetched: int
    opened_at: str


async def open_gaps(
    tx: Transaction, *, now: datetime, recheck: int, before: datetime | None = None
) -> int:
    """Open a gap for every active recording without one; how many were opened.

    ``before``: only messages kept before that moment count as kept before the downtime
    (a resume: what was kept live since the reconnect is not re-read). A pending gap (an
    interrupted catch-up) is kept as it is: its refetch runs to the end of the history.
    """
    ceiling = snowflake_at(before) if before is not None else None
    rows = await tx.fetchall(
        "SELECT r.channel_id, r.started_at FROM thread_recordings r WHERE r.stopped_at IS NULL"
    )
    opened = 0
    for channel_id, started_at in rows:
        kept = await tx.fetchall(
            "SELECT message_id FROM recorded_messages WHERE channel_id = ? AND message_id < ? "
            "ORDER BY message_id DESC LIMIT ?",
            (channel_id, ceiling if ceiling is not None else (1 << 63) - 1, recheck + 1),
        )
        newest_first = [int(r[0]) for r in kept]
        floor = snowflake_at(parse_stamp(str(started_at)))
        after = resume_point(newest_first, recheck, floor)
        cur = await tx.execute(
            "INSERT INTO recording_catchup (channel_id, after_id, before_id, fetched, opened_at) "
            "VALUES (?, ?, NULL, 0, ?) ON CONFLICT (channel_id, after_id) DO NOTHING",
            (channel_id, after, stamp(now)),
        )
        opened += cur.rowcount
    return opened


async def pending_gaps(db: Reader) -> list[Gap]:
    """Gaps still to fetch, the most recently active conversation first."""
    rows = await db.fetchall(
        "SELECT g.channel_id, r.guild_id, g.after_id, g.before_id, g.fetched, g.opened_at "
        "FROM recording_catchup g JOIN thread_recordings r USING (channel_id) "
        "WHERE r.stopped_at IS NULL ORDER BY g.after_id DESC"
    )
    return [
        Gap(
            int(r[0]),
            int(r[1]),
            int(r[2]),
            None if r[3] is None else int(r[3]),
            int(r[4]),
            str(r[5]),
        )
        for r in rows
    ]


async def take_over(tx: Transaction, gaps: list[Gap], *, now: datetime) -> None:
    """A new process takes over pending gaps (an interrupted catch-up, its process gone):
    each gets a new opening time, so its claim key is new and no dead process's lease holds
    it, and its fetch starts again from the newest message: what was posted while this
    process was down lies above the old cursor, and the gap (one per conversation and resume
    point) is the only one that covers it. Messages fetched before are kept, not twice."""
    await tx.executemany(
        "UPDATE recording_catchup SET opened_at = ?, before_id = NULL, fetched = 0 "
        "WHERE channel_id = ? AND after_id = ?",
        [(stamp(now), g.channel_id, g.after_id) for g in gaps],
    )


async def kept_between(db: Reader, channel_id: int, after: int, until: int) -> dict[int, Kept]:
    """Recorded messages of a conversation in ``(after, until]`` with their latest edit."""
    rows = await db.fetchall(
        "SELECT m.message_id, m.deleted_at, "
        "(SELECT MAX(v.edited_at) FROM recorded_versions v WHERE v.message_id = m.message_id) "
        "FROM recorded_messages m WHERE m.channel_id = ? AND m.message_id > ? "
        "AND m.message_id <= ?",
        (channel_id, after, until),
    )
    return {int(r[0]): Kept(int(r[0]), r[2], r[1] is not None) for r in rows}


async def mark_recovered(tx: Transaction, message_ids: list[int]) -> None:
    await tx.executemany(
        "UPDATE recorded_messages SET recovered = 1 WHERE message_id = ?",
        [(i,) for i in message_ids],
    )


async def mark_deleted_while_down(tx: Transaction, message_ids: list[int]) -> None:
    await tx.executemany(
        "UPDATE recorded_messages SET deleted_while_down = 1 "
        "WHERE message_id = ? AND deleted_at IS NOT NULL",
        [(i,) for i in message_ids],
    )


async def advance(tx: Transaction, gap: Gap, before_id: int | None, fetched: int) -> None:
    """The gap's new cursor once a page is stored (in the page's transaction)."""
    await tx.execute(
        "UPDATE recording_catchup SET before_id = ?, fetched = fetched + ? "
        "WHERE channel_id = ? AND after_id = ?",
        (before_id, fetched, gap.channel_id, gap.after_id),
    )


async def close_gap(tx: Transaction, gap: Gap) -> None:
    await tx.execute(
        "DELETE FROM recording_catchup WHERE channel_id = ? AND after_id = ?",
        (gap.channel_id, gap.after_id),
    )


async def recovered_count(db: Reader, channel_id: int) -> tuple[int, int]:
    """(messages recovered, messages found deleted while down) of a conversation."""
    row = await db.fetchone(
        "SELECT COALESCE(SUM(recovered), 0), COALESCE(SUM(deleted_while_down), 0) "
        "FROM recorded_messages WHERE channel_id = ?",
        (channel_id,),
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)
