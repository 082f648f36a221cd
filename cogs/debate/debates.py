"""Debate events in SQLite: the row, its phase/timer state, speaker and question queues.

Moderator controls read the state, apply a :mod:`cogs.debate.machine` transition and write it
back only if nobody changed it in between (``version`` column): two moderators clicking at
once cannot both apply a transition to the same old state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from cogs.debate import machine, polls, swing
from cogs.debate.clock import iso, parse


class DebateError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Debate:
    id: int
    guild_id: int
    channel_id: int
    thread_id: int | None
    panel_message_id: int | None
    motion: str
    moderator_id: int
    state: machine.State
    notices: frozenset[str]
    version: int
    pre_poll_id: int | None
    post_poll_id: int | None
    question_text: str | None
    created_at: datetime
    finished_at: datetime | None


def _debate(row: aiosqlite.Row) -> Debate:
    state = machine.State(
        phase=row["phase"],
        paused=bool(row["paused"]),
        speaker_id=row["speaker_id"],
        speaker_side=row["speaker_side"],
        deadline=parse(row["timer_deadline"]) if row["timer_deadline"] else None,
        remaining=row["timer_remaining"],
        length=row["timer_length"],
        seq=row["timer_seq"],
    )
    return Debate(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        thread_id=row["thread_id"],
        panel_message_id=row["panel_message_id"],
        motion=row["motion"],
        moderator_id=row["moderator_id"],
        state=state,
        notices=frozenset(n for n in row["notices"].split(",") if n),
        version=row["version"],
        pre_poll_id=row["pre_poll_id"],
        post_poll_id=row["post_poll_id"],
        question_text=row["question_text"],
        created_at=parse(row["created_at"]),
        finished_at=parse(row["finished_at"]) if row["finished_at"] else None,
    )


async def create(
    db: aiosqlite.Connection,
    *,
    guild_id: int,
    channel_id: int,
    motion: str,
    moderator_id: int,
    now: datetime,
) -> int:
    cur = await db.execute(
        "INSERT INTO debates (guild_id, channel_id, motion, moderator_id, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (guild_id, channel_id, motion, moderator_id, iso(now)),
    )
    await db.commit()
    return int(cur.lastrowid or 0)


async def attach(db: aiosqlite.Connection, debate_id: int, **columns: int | None) -> None:
    """Record Discord ids once they exist (thread, panel message, polls)."""
    allowed = {"thread_id", "panel_message_id", "pre_poll_id", "post_poll_id"}
    if not columns or set(columns) - allowed:
        raise ValueError(f"attach() takes {sorted(allowed)}")
    assignments = ", ".join(f"{name} = ?" for name in columns)
    await db.execute(
        f"UPDATE debates SET {assignments} WHERE id = ?", (*columns.values(), debate_id)
    )
    await db.commit()


async def get(db: aiosqlite.Connection, debate_id: int) -> Debate | None:
    async with db.execute("SELECT * FROM debates WHERE id = ?", (debate_id,)) as cur:
        row = await cur.fetchone()
    return None if row is None else _debate(row)


async def require(db: aiosqlite.Connection, debate_id: int, guild_id: int | None) -> Debate:
    debate = await get(db, debate_id)
    if debate is None or (guild_id is not None and debate.guild_id != guild_id):
        raise DebateError(f"There is no debate #{debate_id} in this server.")
    return debate


async def save_state(
    db: aiosqlite.Connection,
    debate: Debate,
    state: machine.State,
    now: datetime,
    *,
    question_text: str | None = None,
    notices: frozenset[str] | None = None,
) -> bool:
    """Write ``state`` if the row is still at ``debate.version``; False if it moved on."""
    if notices is None:
        notices = debate.notices if state.seq == debate.state.seq else frozenset()
    cur = await db.execute(
        "UPDATE debates SET phase = ?, paused = ?, speaker_id = ?, speaker_side = ?,"
        " question_text = ?, timer_deadline = ?, timer_remaining = ?, timer_length = ?,"
        " timer_seq = ?, notices = ?, version = version + 1,"
        " finished_at = CASE WHEN ? = 'finished' THEN ? ELSE finished_at END"
        " WHERE id = ? AND version = ?",
        (
            state.phase,
            int(state.paused),
            state.speaker_id,
            state.speaker_side,
            question_text,
            iso(state.deadline) if state.deadline else None,
            state.remaining,
            state.length,
            state.seq,
            ",".join(sorted(notices)),
            state.phase,
            iso(now),
            debate.id,
            debate.version,
        ),
    )
    await db.commit()
    return cur.rowcount > 0


async def claim_notice(db: aiosqlite.Connection, debate_id: int, seq: int, notice: str) -> bool:
    """Mark a timer notice as posted for speech ``seq``; True only for the first claim."""
    cur = await db.execute(
        "UPDATE debates SET notices = CASE notices WHEN '' THEN ?1 ELSE notices || ',' || ?1 END"
        " WHERE id = ?2 AND timer_seq = ?3"
        " AND instr(',' || notices || ',', ',' || ?1 || ',') = 0",
        (notice, debate_id, seq),
    )
    await db.commit()
    return cur.rowcount > 0


async def live(db: aiosqlite.Connection) -> list[Debate]:
    async with db.execute("SELECT * FROM debates WHERE phase != 'finished' ORDER BY id") as cur:
        return [_debate(r) for r in await cur.fetchall()]


async def history(db: aiosqlite.Connection, guild_id: int, limit: int = 10) -> list[Debate]:
    async with db.execute(
        "SELECT * FROM debates WHERE guild_id = ? ORDER BY id DESC LIMIT ?", (guild_id, limit)
    ) as cur:
        return [_debate(r) for r in await cur.fetchall()]


async def by_thread(db: aiosqlite.Connection, thread_id: int) -> Debate | None:
    async with db.execute("SELECT * FROM debates WHERE thread_id = ?", (thread_id,)) as cur:
        row = await cur.fetchone()
    return None if row is None else _debate(row)


# ----------------------------------------------------------------------------- queues


async def join_queue(
    db: aiosqlite.Connection,
    debate_id: int,
    user_id: int,
    now: datetime,
    *,
    side: str | None = None,
    text: str | None = None,
) -> bool:
    """Wait in the speaker queue (side given) or the question queue (text given).

    False if the member is already waiting there. A speaker who switches sides moves.
    """
    kind = "question" if side is None else "speaker"
    if kind == "speaker":
        cur = await db.execute(
            "UPDATE debate_queue SET side = ? WHERE debate_id = ? AND kind = 'speaker'"
            " AND user_id = ? AND called_at IS NULL AND side != ?",
            (side, debate_id, user_id, side),
        )
        if cur.rowcount:
            await db.commit()
            return True
    cur = await db.execute(
        "INSERT OR IGNORE INTO debate_queue (debate_id, kind, user_id, side, text, joined_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (debate_id, kind, user_id, side, text, iso(now)),
    )
    await db.commit()
    return cur.rowcount > 0


async def leave_queues(db: aiosqlite.Connection, debate_id: int, user_id: int) -> int:
    cur = await db.execute(
        "DELETE FROM debate_queue WHERE debate_id = ? AND user_id = ? AND called_at IS NULL",
        (debate_id, user_id),
    )
    await db.commit()
    return cur.rowcount


@dataclass(frozen=True, slots=True)
class Waiting:
    entry_id: int
    user_id: int
    side: str | None
    text: str | None


async def waiting(db: aiosqlite.Connection, debate_id: int, kind: str) -> list[Waiting]:
    async with db.execute(
        "SELECT id, user_id, side, text FROM debate_queue WHERE debate_id = ? AND kind = ?"
        " AND called_at IS NULL ORDER BY id",
        (debate_id, kind),
    ) as cur:
        return [Waiting(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]


async def next_waiting(
    db: aiosqlite.Connection, debate_id: int, kind: str, side: str | None
) -> Waiting | None:
    for entry in await waiting(db, debate_id, kind):
        if side is None or entry.side == side:
            return entry
    return None


async def mark_called(db: aiosqlite.Connection, entry_id: int, now: datetime) -> bool:
    cur = await db.execute(
        "UPDATE debate_queue SET called_at = ? WHERE id = ? AND called_at IS NULL",
        (iso(now), entry_id),
    )
    await db.commit()
    return cur.rowcount > 0


async def record_event(
    db: aiosqlite.Connection,
    guild_id: int,
    event_id: int,
    motion: str,
    starts_at: datetime,
    created_by: int,
) -> None:
    await db.execute(
        "INSERT INTO debate_events (guild_id, event_id, motion, starts_at, created_by)"
        " VALUES (?, ?, ?, ?, ?)",
        (guild_id, event_id, motion, iso(starts_at), created_by),
    )
    await db.commit()


async def vote_published(db: aiosqlite.Connection, poll_id: int) -> bool:
    """True when ``poll_id`` is a vote of a finished debate (its counts are in the result)."""
    async with db.execute(
        "SELECT 1 FROM debates WHERE (pre_poll_id = ?1 OR post_poll_id = ?1)"
        " AND phase = 'finished'",
        (poll_id,),
    ) as cur:
        return await cur.fetchone() is not None


SIDE_OF_POSITION = ("for", "against", "undecided")  # the debate polls' option order


async def result(db: aiosqlite.Connection, debate: Debate) -> swing.SwingResult:
    """The swing between the debate's pre- and post-debate votes (recomputed from ballots)."""
    pre = await polls.ballots(db, debate.pre_poll_id) if debate.pre_poll_id else {}
    post = await polls.ballots(db, debate.post_poll_id) if debate.post_poll_id else {}
    return swing.compute(
        {u: SIDE_OF_POSITION[p] for u, p in pre.items()},
        {u: SIDE_OF_POSITION[p] for u, p in post.items()},
    )
