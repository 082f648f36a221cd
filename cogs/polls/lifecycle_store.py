"""The SQL of a poll's lifecycle: reminders, schedules and options added before the first vote.

Writers take the :class:`~bot.db.Transaction` they run in. Every "only once" is decided by a
conditional write, never by a read before it: a schedule's run is claimed by moving its
``next_run_at`` on from the value the timer saw (``UPDATE … WHERE next_run_at = ? RETURNING``)
in the transaction that creates the poll; a reminder by setting ``reminded_at`` while it is
NULL; an added option by an ``INSERT … SELECT`` that finds no vote. Two timers, two restarts
or two processes racing for the same run: one write matches, the other matches nothing.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.clock import iso, parse
from bot.db import Reader, Record, Transaction
from cogs.polls import eligibility_store, lifecycle, store
from cogs.polls.lifecycle import Schedule
from cogs.polls.polls import PollError

# ----------------------------------------------------------------------------- reminders


async def set_poll_lifecycle(
    tx: Transaction,
    poll_id: int,
    *,
    remind_before: timedelta | None,
    schedule_id: int | None = None,
) -> None:
    """The lifecycle columns of a poll just created in ``tx``."""
    await tx.execute(
        "UPDATE polls SET remind_before_s = ?, schedule_id = ? WHERE id = ?",
        (_seconds(remind_before), schedule_id, poll_id),
    )


def _seconds(span: timedelta | None) -> int | None:
    return None if span is None else int(span.total_seconds())


async def pending_reminders(db: Reader) -> list[tuple[int, datetime]]:
    """Open polls whose role has not been reminded yet, with the moment it is due."""
    rows = await db.fetchall(
        "SELECT id, closes_at, remind_before_s FROM polls WHERE closed_at IS NULL"
        " AND reminded_at IS NULL AND remind_before_s IS NOT NULL AND role_id IS NOT NULL"
        " AND closes_at IS NOT NULL ORDER BY closes_at"
    )
    return [(int(r[0]), parse(r[1]) - timedelta(seconds=int(r[2]))) for r in rows]


async def claim_reminder(tx: Transaction, poll_id: int, now: datetime) -> bool:
    """True only for the one call that may post the poll's reminder (and only while open)."""
    cur = await tx.execute(
        "UPDATE polls SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL"
        " AND closed_at IS NULL AND role_id IS NOT NULL AND remind_before_s IS NOT NULL",
        (iso(now), poll_id),
    )
    return cur.rowcount > 0


# ------------------------------------------------------------------------------- options


async def add_option(tx: Transaction, poll_id: int, label: str) -> tuple[str, ...]:
    """Add ``label`` as the poll's last option while it is open and nobody has voted.

    The ``INSERT … SELECT`` finds no vote or inserts nothing: a vote that committed first
    wins, whatever was read before. Returns the poll's options after the addition.
    """
    poll = await store.get_poll(tx, poll_id)
    if poll is None:
        raise PollError(f"There is no poll #{poll_id}.")
    label = lifecycle.check_new_option(label, poll.options)
    cur = await tx.execute(
        "INSERT INTO poll_options (poll_id, position, label)"
        " SELECT ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM poll_options WHERE poll_id = ?),"
        " ? WHERE EXISTS (SELECT 1 FROM polls WHERE id = ? AND closed_at IS NULL AND kind = 'poll'"
        f"{tx.for_share})"
        " AND NOT EXISTS (SELECT 1 FROM poll_votes WHERE poll_id = ?)"
        " AND NOT EXISTS (SELECT 1 FROM poll_ballots WHERE poll_id = ?)",
        (poll_id, poll_id, label, poll_id, poll_id, poll_id),
    )
    if cur.rowcount == 0:
        if not await store.is_open(tx, poll_id):
            raise PollError(f"Poll #{poll_id} is closed: its options stay as they are.")
        raise PollError(lifecycle.ALREADY_VOTED)
    return (*poll.options, label)


async def unposted_scheduled_polls(db: Reader) -> list[int]:
    """Open polls a schedule created whose message was never posted (a stop in between)."""
    rows = await db.fetchall(
        "SELECT id FROM polls WHERE schedule_id IS NOT NULL AND message_id IS NULL"
        " AND closed_at IS NULL ORDER BY id"
    )
    return [int(r[0]) for r in rows]


# ----------------------------------------------------------------------------- schedules


def _schedule(row: Record) -> Schedule:
    return Schedule(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        channel_id=int(row["channel_id"]),
        question=row["question"],
        options=tuple(json.loads(row["options"])),
        duration=timedelta(seconds=int(row["duration_s"])),
        anonymous=bool(row["anonymous"]),
        live=bool(row["live"]),
        role_id=row["role_id"],
        remind_before=(
            timedelta(seconds=int(row["remind_before_s"])) if row["remind_before_s"] else None
        ),
        repeat=row["repeat"],
        next_run_at=parse(row["next_run_at"]) if row["next_run_at"] else None,
        runs=int(row["runs"]),
        last_poll_id=row["last_poll_id"],
        created_by=int(row["created_by"]),
        rules=eligibility_store.rules_of(row),
    )


async def create_schedule(
    tx: Transaction,
    *,
    guild_id: int,
    channel_id: int,
    question: str,
    options: tuple[str, ...],
    duration: timedelta,
    anonymous: bool,
    live: bool,
    role_id: int | None,
    remind_before: timedelta | None,
    repeat: str,
    starts_at: datetime,
    created_by: int,
    now: datetime,
) -> int:
    lifecycle.check_repeat(repeat, duration)
    return int(
        await tx.fetchval(
            "INSERT INTO poll_schedules (guild_id, channel_id, question, options, duration_s,"
            " anonymous, live, role_id, remind_before_s, repeat, next_run_at, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                guild_id,
                channel_id,
                question,
                json.dumps(list(options), ensure_ascii=False),
                _seconds(duration),
                int(anonymous),
                int(live),
                role_id,
                _seconds(remind_before),
                repeat,
                iso(starts_at),
                created_by,
                iso(now),
            ),
        )
    )


async def get_schedule(db: Reader, schedule_id: int) -> Schedule | None:
    row = await db.fetchone("SELECT * FROM poll_schedules WHERE id = ?", (schedule_id,))
    return None if row is None else _schedule(row)


async def active_schedules(db: Reader, guild_id: int | None, limit: int = 25) -> list[Schedule]:
    """Schedules still to run, soonest first; every guild's when ``guild_id`` is None."""
    rows = await db.fetchall(
        "SELECT * FROM poll_schedules WHERE next_run_at IS NOT NULL"
        " AND (CAST(? AS BIGINT) IS NULL OR guild_id = ?) ORDER BY next_run_at, id LIMIT ?",
        (guild_id, guild_id, limit),
    )
    return [_schedule(r) for r in rows]


async def claim_run(
    tx: Transaction, schedule: Schedule, now: datetime
) -> tuple[Schedule, datetime] | None:
    """Claim the schedule's due run: move ``next_run_at`` on from the value read.

    Returns the schedule as claimed and the run's due time, or None when it is not due, was
    cancelled, or another timer (another start, another process) claimed this run first.
    """
    due = schedule.next_run_at
    if due is None or due > now:
        return None
    following = lifecycle.next_run(due, schedule.repeat, now)
    row = await tx.fetchone(
        "UPDATE poll_schedules SET next_run_at = ?, runs = runs + 1"
        " WHERE id = ? AND next_run_at = ? AND cancelled_at IS NULL RETURNING *",
        (iso(following) if following else None, schedule.id, iso(due)),
    )
    return None if row is None else (_schedule(row), due)


async def open_scheduled_poll(
    tx: Transaction, schedule: Schedule, now: datetime, member_count: int | None = None
) -> int:
    """The poll of a claimed run, created in the claiming transaction; its rules are fixed
    now (a quorum share of the server's ``member_count``)."""
    poll_id = await store.create_poll(
        tx,
        guild_id=schedule.guild_id,
        channel_id=schedule.channel_id,
        question=schedule.question,
        options=schedule.options,
        created_by=schedule.created_by,
        now=now,
        closes_at=now + schedule.duration,
        anonymous=schedule.anonymous,
        live=schedule.live,
        role_id=schedule.role_id,
        eligibility=schedule.rules.for_poll(now, member_count),
    )
    await set_poll_lifecycle(
        tx, poll_id, remind_before=schedule.remind_before, schedule_id=schedule.id
    )
    await tx.execute(
        "UPDATE poll_schedules SET last_poll_id = ? WHERE id = ?", (poll_id, schedule.id)
    )
    return poll_id


async def cancel_schedule(tx: Transaction, schedule_id: int, guild_id: int, now: datetime) -> bool:
    """Stop future runs; False if there is no such schedule still to run in this guild."""
    cur = await tx.execute(
        "UPDATE poll_schedules SET next_run_at = NULL, cancelled_at = ?"
        " WHERE id = ? AND guild_id = ? AND next_run_at IS NOT NULL",
        (iso(now), schedule_id, guild_id),
    )
    return cur.rowcount > 0


# ------------------------------------------------------------------------------- privacy

# The columns this module adds (bot/migrations/sql/sqlite/0041_debate_poll_lifecycle.sql).
PERSONAL_COLUMNS = {"poll_schedules": ("created_by",)}
OTHER_COLUMNS = {
    "polls": ("remind_before_s", "reminded_at", "schedule_id"),
    # The question and options are the poll to be published to the whole server.
    "poll_schedules": (
        "id",
        "guild_id",
        "channel_id",
        "question",
        "options",
        "duration_s",
        "anonymous",
        "live",
        "role_id",
        "remind_before_s",
        "repeat",
        "next_run_at",
        "runs",
        "last_poll_id",
        "created_at",
        "cancelled_at",
    ),
}


async def forget(tx: Transaction, user_id: int) -> dict[str, int]:
    """Schedules the member set up keep running under id 0 (no one), as their polls do."""
    cur = await tx.execute(
        "UPDATE poll_schedules SET created_by = 0 WHERE created_by = ?", (user_id,)
    )
    return {store.RAN: cur.rowcount}


async def status(db: Reader, user_id: int) -> dict[str, int]:
    count = await db.fetchval(
        "SELECT count(*) FROM poll_schedules WHERE created_by = ?", (user_id,)
    )
    return {store.RAN_KEPT: int(count or 0)}
