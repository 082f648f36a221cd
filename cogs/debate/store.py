"""The debate feature's SQL: debates, their queues and scheduled events.

Writers take the :class:`~bot.db.Transaction` they run in and never commit; readers take a
:class:`~bot.db.Reader` (the database's committed view, or a transaction's own). Integrity
lives in the schema: a debate's ``version`` guards moderator transitions and a notice is
claimed by a conditional UPDATE. The pre- and post-debate votes are polls, reached through
:mod:`cogs.polls.service`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from bot.clock import iso, parse
from bot.db import Reader, Record, Transaction
from cogs.debate import machine, swing
from cogs.debate.debates import Debate, DebateError, Waiting, swing_of
from cogs.polls import service as polls

# ----------------------------------------------------------------------------- debates


# A format's own phases are kept in ``format_phase``; ``phase`` (whose 0004 CHECK lists the
# classic phases) holds the classic phase each stands in for (migration 0010).
STORED_PHASE = {"prep": "pre_vote", "speech": "rebuttal"}


def _debate(row: Record) -> Debate:
    state = machine.State(
        phase=row["format_phase"] or row["phase"],
        paused=bool(row["paused"]),
        speaker_id=row["speaker_id"],
        speaker_side=row["speaker_side"],
        deadline=parse(row["timer_deadline"]) if row["timer_deadline"] else None,
        remaining=row["timer_remaining"],
        length=row["timer_length"],
        seq=row["timer_seq"],
        speech_index=row["speech_index"],
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
        format_id=row["format_id"],
        stage_channel_id=row["stage_channel_id"],
    )


async def create_debate(
    tx: Transaction,
    *,
    guild_id: int,
    channel_id: int,
    motion: str,
    moderator_id: int,
    now: datetime,
    format_id: str = "oxford",
    stage_channel_id: int | None = None,
) -> int:
    return int(
        await tx.fetchval(
            "INSERT INTO debates (guild_id, channel_id, motion, moderator_id, created_at,"
            " format_id, stage_channel_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (guild_id, channel_id, motion, moderator_id, iso(now), format_id, stage_channel_id),
        )
    )


async def attach(tx: Transaction, debate_id: int, **columns: int | None) -> None:
    """Record Discord ids once they exist (thread, panel message, polls)."""
    allowed = {"thread_id", "panel_message_id", "pre_poll_id", "post_poll_id"}
    if not columns or set(columns) - allowed:
        raise ValueError(f"attach() takes {sorted(allowed)}")
    assignments = ", ".join(f"{name} = ?" for name in columns)
    await tx.execute(
        f"UPDATE debates SET {assignments} WHERE id = ?", (*columns.values(), debate_id)
    )


async def set_motion(tx: Transaction, debate_id: int, motion: str) -> None:
    """The motion a veto left (cogs/debate/veto_cog.py), before its pre-debate vote opens."""
    await tx.execute("UPDATE debates SET motion = ? WHERE id = ?", (motion, debate_id))


async def discard(tx: Transaction, debate_id: int) -> list[int]:
    """Delete a debate whose start Discord refused (no thread, or no panel in it); its queue
    and format rows go with it (``ON DELETE CASCADE``). Returns its polls' ids, for the polls
    feature to discard."""
    row = await tx.fetchone(
        "DELETE FROM debates WHERE id = ? RETURNING pre_poll_id, post_poll_id", (debate_id,)
    )
    return [int(poll_id) for poll_id in (row or ()) if poll_id is not None]


async def get_debate(db: Reader, debate_id: int) -> Debate | None:
    row = await db.fetchone("SELECT * FROM debates WHERE id = ?", (debate_id,))
    return None if row is None else _debate(row)


async def require_debate(db: Reader, debate_id: int, guild_id: int | None) -> Debate:
    debate = await get_debate(db, debate_id)
    if debate is None or (guild_id is not None and debate.guild_id != guild_id):
        raise DebateError(f"There is no debate #{debate_id} in this server.")
    return debate


async def save_state(
    tx: Transaction,
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
    format_phase = state.phase if state.phase in STORED_PHASE else None
    cur = await tx.execute(
        "UPDATE debates SET phase = ?, paused = ?, speaker_id = ?, speaker_side = ?,"
        " question_text = ?, timer_deadline = ?, timer_remaining = ?, timer_length = ?,"
        " timer_seq = ?, notices = ?, format_phase = ?, speech_index = ?, version = version + 1,"
        " finished_at = CASE WHEN ? = 'finished' THEN ? ELSE finished_at END"
        " WHERE id = ? AND version = ?",
        (
            STORED_PHASE.get(state.phase, state.phase),
            int(state.paused),
            state.speaker_id,
            state.speaker_side,
            question_text,
            iso(state.deadline) if state.deadline else None,
            state.remaining,
            state.length,
            state.seq,
            ",".join(sorted(notices)),
            format_phase,
            state.speech_index,
            state.phase,
            iso(now),
            debate.id,
            debate.version,
        ),
    )
    return cur.rowcount > 0


async def claim_notice(tx: Transaction, debate_id: int, seq: int, notice: str) -> bool:
    """Mark a timer notice as posted for speech ``seq``; True only for the first claim."""
    cur = await tx.execute(
        "UPDATE debates SET notices = CASE notices WHEN '' THEN ? ELSE notices || ',' || ? END"
        " WHERE id = ? AND timer_seq = ?"
        " AND ',' || notices || ',' NOT LIKE '%,' || ? || ',%'",
        (notice, notice, debate_id, seq, notice),
    )
    return cur.rowcount > 0


async def live_debates(db: Reader) -> list[Debate]:
    rows = await db.fetchall("SELECT * FROM debates WHERE phase != 'finished' ORDER BY id")
    return [_debate(r) for r in rows]


async def debate_history(db: Reader, guild_id: int | None, limit: int = 10) -> list[Debate]:
    """Newest first; every guild's when ``guild_id`` is None (the CLI)."""
    rows = await db.fetchall(
        "SELECT * FROM debates WHERE (CAST(? AS BIGINT) IS NULL OR guild_id = ?) "
        "ORDER BY id DESC LIMIT ?",
        (guild_id, guild_id, limit),
    )
    return [_debate(r) for r in rows]


async def vote_published(db: Reader, poll_id: int) -> bool:
    """True when ``poll_id`` is a vote of a finished debate (its counts are in the result)."""
    row = await db.fetchone(
        "SELECT 1 FROM debates WHERE (pre_poll_id = ? OR post_poll_id = ?) AND phase = 'finished'",
        (poll_id, poll_id),
    )
    return row is not None


async def debate_result(db: Reader, debate: Debate) -> swing.SwingResult:
    """The swing between the debate's pre- and post-debate votes (recomputed from ballots),
    with the quorum the debate was opened with (stored on its pre-debate vote)."""
    pre = await polls.ballots(db, debate.pre_poll_id) if debate.pre_poll_id else {}
    post = await polls.ballots(db, debate.post_poll_id) if debate.post_poll_id else {}
    result = swing_of(pre, post)
    first = await polls.get_poll(db, debate.pre_poll_id) if debate.pre_poll_id else None
    if first is not None and first.eligibility.quorum is not None:
        result = dataclasses.replace(result, quorum=first.eligibility.quorum)
    return result


# ------------------------------------------------------------------------------ queues


async def join_queue(
    tx: Transaction,
    debate_id: int,
    user_id: int,
    now: datetime,
    *,
    side: str | None = None,
    text: str | None = None,
) -> bool:
    """Wait in the speaker queue (side given) or the question queue (text given).

    False if the member is already waiting there (the partial unique index decides). A
    speaker who switches sides moves.
    """
    kind = "question" if side is None else "speaker"
    if kind == "speaker":
        cur = await tx.execute(
            "UPDATE debate_queue SET side = ? WHERE debate_id = ? AND kind = 'speaker'"
            " AND user_id = ? AND called_at IS NULL AND side != ?",
            (side, debate_id, user_id, side),
        )
        if cur.rowcount:
            return True
    cur = await tx.execute(
        "INSERT INTO debate_queue (debate_id, kind, user_id, side, text, joined_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (debate_id, kind, user_id, side, text, iso(now)),
    )
    return cur.rowcount > 0


async def leave_queues(tx: Transaction, debate_id: int, user_id: int) -> int:
    cur = await tx.execute(
        "DELETE FROM debate_queue WHERE debate_id = ? AND user_id = ? AND called_at IS NULL",
        (debate_id, user_id),
    )
    return cur.rowcount


async def waiting(db: Reader, debate_id: int, kind: str) -> list[Waiting]:
    rows = await db.fetchall(
        "SELECT id, user_id, side, text FROM debate_queue WHERE debate_id = ? AND kind = ?"
        " AND called_at IS NULL ORDER BY id",
        (debate_id, kind),
    )
    return [Waiting(r[0], r[1], r[2], r[3]) for r in rows]


async def next_waiting(db: Reader, debate_id: int, kind: str, side: str | None) -> Waiting | None:
    for entry in await waiting(db, debate_id, kind):
        if side is None or entry.side == side:
            return entry
    return None


async def mark_called(tx: Transaction, entry_id: int, now: datetime) -> bool:
    cur = await tx.execute(
        "UPDATE debate_queue SET called_at = ? WHERE id = ? AND called_at IS NULL",
        (iso(now), entry_id),
    )
    return cur.rowcount > 0


async def record_event(
    tx: Transaction,
    guild_id: int,
    event_id: int,
    motion: str,
    starts_at: datetime,
    created_by: int,
) -> None:
    await tx.execute(
        "INSERT INTO debate_events (guild_id, event_id, motion, starts_at, created_by)"
        " VALUES (?, ?, ?, ?, ?)",
        (guild_id, event_id, motion, iso(starts_at), created_by),
    )


# ----------------------------------------------------------------------------- privacy

QUEUE = "[place or question|places and questions] in debate queues"
# The same words as the polls' part: /privacy adds the two counts up under one line.
RAN = "[poll or debate|polls and debates] you ran or spoke in (your name taken off)"
RAN_KEPT = "[poll or debate|polls and debates] you ran or spoke in"

# Every column of the feature's tables (bot/migrations/sql/sqlite/0004_debate.sql).
PERSONAL_COLUMNS = {
    "debates": ("moderator_id", "speaker_id", "question_text"),
    "debate_queue": ("user_id", "text"),
    "debate_events": ("created_by",),
}
OTHER_COLUMNS = {
    # The motion is the published debate, addressed to the whole server: it stays with it.
    "debates": (
        "id",
        "guild_id",
        "channel_id",
        "thread_id",
        "panel_message_id",
        "motion",
        "phase",
        "paused",
        "speaker_side",
        "timer_deadline",
        "timer_remaining",
        "timer_length",
        "timer_seq",
        "notices",
        "version",
        "pre_poll_id",
        "post_poll_id",
        "created_at",
        "finished_at",
        "format_id",
        "format_phase",
        "speech_index",
        "stage_channel_id",
    ),
    "debate_queue": ("id", "debate_id", "kind", "side", "joined_at", "called_at"),
    "debate_events": ("id", "guild_id", "event_id", "motion", "starts_at"),
}


async def forget(tx: Transaction, user_id: int) -> dict[str, int]:
    """Forget-me: what the member wrote goes; debates they ran go on under id 0.

    Debates and scheduled events they ran keep running under id 0 (no one); the floor they
    hold is cleared with its question; their queue places and questions are deleted. Their
    votes are the polls feature's to forget.
    """
    queued = await tx.execute("DELETE FROM debate_queue WHERE user_id = ?", (user_id,))
    # The version moves on, so a moderator's stale copy cannot write the member back.
    ran_debates = await tx.execute(
        "UPDATE debates SET"
        " moderator_id = CASE WHEN moderator_id = ? THEN 0 ELSE moderator_id END,"
        " question_text = CASE WHEN speaker_id = ? THEN NULL ELSE question_text END,"
        " speaker_id = CASE WHEN speaker_id = ? THEN NULL ELSE speaker_id END,"
        " version = version + 1"
        " WHERE moderator_id = ? OR speaker_id = ?",
        (user_id, user_id, user_id, user_id, user_id),
    )
    events = await tx.execute(
        "UPDATE debate_events SET created_by = 0 WHERE created_by = ?", (user_id,)
    )
    return {QUEUE: queued.rowcount, RAN: ran_debates.rowcount + events.rowcount}


async def status(db: Reader, user_id: int) -> dict[str, int]:
    """What is kept about the member now, in the words forget-me's confirmation uses."""
    row = await db.fetchone(
        "SELECT"
        " (SELECT count(*) FROM debate_queue WHERE user_id = ?),"
        " (SELECT count(*) FROM debates WHERE moderator_id = ? OR speaker_id = ?)"
        " + (SELECT count(*) FROM debate_events WHERE created_by = ?)",
        (user_id,) * 4,
    )
    assert row is not None
    return {QUEUE: int(row[0]), RAN_KEPT: int(row[1])}
