"""The polls feature's SQL: polls, their options and votes.

Writers take the :class:`~bot.db.Transaction` they run in and never commit; readers take a
:class:`~bot.db.Reader` (the database's committed view, or a transaction's own). Integrity
lives in the schema: ``poll_votes`` has the key ``(poll_id, user_id)`` so a vote is an upsert,
never a read-then-write; a vote or close only applies while ``closed_at IS NULL``, and a vote
holds the poll's row (``while_open``) so a close in another process waits for it.
Approval and ranked ballots are :mod:`cogs.polls.ballot_store`'s.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from bot.clock import iso, parse
from bot.db import Reader, Record, Transaction
from cogs.polls import ballot_store, eligibility_store, polls
from cogs.polls.eligibility import Eligibility
from cogs.polls.polls import Poll, PollError, Tally, VoteOutcome

# ------------------------------------------------------------------------------- polls


async def create_poll(
    tx: Transaction,
    *,
    guild_id: int,
    channel_id: int,
    question: str,
    options: Sequence[str],
    created_by: int,
    now: datetime,
    closes_at: datetime | None = None,
    anonymous: bool = True,
    live: bool = True,
    role_id: int | None = None,
    kind: str = "poll",
    eligibility: Eligibility | None = None,
) -> int:
    """The poll and its options (and its eligibility rules and quorum), in the caller's
    transaction; PollError before any write."""
    question, cleaned = polls.check_new_poll(question, options, now, closes_at)
    poll_id = int(
        await tx.fetchval(
            "INSERT INTO polls (guild_id, channel_id, question, kind, anonymous, live, role_id,"
            " created_by, created_at, closes_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            (
                guild_id,
                channel_id,
                question,
                kind,
                int(anonymous),
                int(live),
                role_id,
                created_by,
                iso(now),
                iso(closes_at) if closes_at else None,
            ),
        )
    )
    await tx.executemany(
        "INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)",
        [(poll_id, i, label) for i, label in enumerate(cleaned)],
    )
    if eligibility is not None and eligibility != Eligibility():
        await eligibility_store.set_poll_eligibility(tx, poll_id, eligibility)
    return poll_id


async def set_poll_message(tx: Transaction, poll_id: int, message_id: int) -> None:
    await tx.execute("UPDATE polls SET message_id = ? WHERE id = ?", (message_id, poll_id))


async def discard_unposted(tx: Transaction, poll_id: int) -> bool:
    """Delete a poll whose message was never posted (Discord refused it): nobody saw it, so
    nobody voted, and no deadline may ever close it and post a result. Its options go with it
    (``ON DELETE CASCADE``). A posted poll is left alone; True if it was deleted."""
    cur = await tx.execute(
        "DELETE FROM polls WHERE id = ? AND message_id IS NULL AND closed_at IS NULL",
        (poll_id,),
    )
    return cur.rowcount > 0


def _poll(row: Record, options: tuple[str, ...]) -> Poll:
    return Poll(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        question=row["question"],
        kind=row["kind"],
        anonymous=bool(row["anonymous"]),
        live=bool(row["live"]),
        role_id=row["role_id"],
        created_by=row["created_by"],
        created_at=parse(row["created_at"]),
        closes_at=parse(row["closes_at"]) if row["closes_at"] else None,
        closed_at=parse(row["closed_at"]) if row["closed_at"] else None,
        options=options,
        ballot_kind=row["ballot_kind"],
        max_choices=row["max_choices"],
        eligibility=eligibility_store.eligibility_of(row),
    )


async def get_poll(db: Reader, poll_id: int) -> Poll | None:
    row = await db.fetchone("SELECT * FROM polls WHERE id = ?", (poll_id,))
    if row is None:
        return None
    rows = await db.fetchall(
        "SELECT label FROM poll_options WHERE poll_id = ? ORDER BY position", (poll_id,)
    )
    return _poll(row, tuple(r[0] for r in rows))


async def require_poll(db: Reader, poll_id: int, guild_id: int | None) -> Poll:
    poll = await get_poll(db, poll_id)
    if poll is None or (guild_id is not None and poll.guild_id != guild_id):
        raise PollError(f"There is no poll #{poll_id} in this server.")
    return poll


def while_open(tx: Transaction) -> str:
    """``FROM polls WHERE`` the poll (``?``) is open, its row share-locked on PostgreSQL.

    Every write that counts only while a poll is open (a vote, a ballot, a retraction, an
    added option) selects from this: the close's UPDATE waits for such a write to commit and
    counts it, and a write that waited for a close finds the poll closed and writes nothing
    (``tests/scale/test_close_wins.py``). A member is told "counted" only after the commit,
    so what they are told is what the result shows.
    """
    return f"FROM polls WHERE id = ? AND closed_at IS NULL{tx.for_share}"


def upsert_vote(tx: Transaction) -> str:
    """The guarded vote upsert: parameters (poll, user, position, when, poll)."""
    return (
        "INSERT INTO poll_votes (poll_id, user_id, position, voted_at)"
        f" SELECT ?, ?, ?, ? {while_open(tx)}"
        " ON CONFLICT (poll_id, user_id) DO UPDATE"
        " SET position = excluded.position, voted_at = excluded.voted_at"
    )


async def current_vote(db: Reader, poll_id: int, user_id: int) -> int | None:
    value = await db.fetchval(
        "SELECT position FROM poll_votes WHERE poll_id = ? AND user_id = ?", (poll_id, user_id)
    )
    return None if value is None else int(value)


async def current_votes(db: Reader, poll_id: int, user_ids: Sequence[int]) -> dict[int, int]:
    """The members' present choices in one poll (one query for a whole group of clicks)."""
    marks = ",".join("?" * len(user_ids))
    rows = await db.fetchall(
        f"SELECT user_id, position FROM poll_votes WHERE poll_id = ? AND user_id IN ({marks})",
        (poll_id, *user_ids),
    )
    return {int(u): int(p) for u, p in rows}


async def is_open(db: Reader, poll_id: int) -> bool:
    return bool(await db.fetchval("SELECT closed_at IS NULL FROM polls WHERE id = ?", (poll_id,)))


async def vote(
    tx: Transaction, poll_id: int, user_id: int, position: int, now: datetime
) -> VoteOutcome:
    """Record (or move) the member's vote. Raises PollError when the poll is closed.

    The earlier choice is read only to word the confirmation; the key decides correctness.
    """
    previous = await current_vote(tx, poll_id, user_id)
    cur = await tx.execute(upsert_vote(tx), (poll_id, user_id, position, iso(now), poll_id))
    if cur.rowcount == 0:
        raise PollError(polls.CLOSED)
    return VoteOutcome(previous, position)


async def vote_many(
    tx: Transaction, poll_id: int, votes: Sequence[tuple[int, int, datetime]]
) -> list[VoteOutcome] | None:
    """A group of ``(user, position, when)`` votes in one poll; None if the poll is closed.

    One read of earlier choices, one ``executemany`` upsert. A second click of the same
    member in the group sees the first. The upsert's guard decides, not the check before it.
    """
    if not await is_open(tx, poll_id):
        return None
    current = await current_votes(tx, poll_id, sorted({user for user, _, _ in votes}))
    outcomes, final = [], {}
    for user_id, position, now in votes:
        outcomes.append(VoteOutcome(current.get(user_id), position))
        current[user_id] = position
        final[user_id] = (poll_id, user_id, position, iso(now), poll_id)  # the last click wins
    # One row per member, in member order: two processes writing one poll's votes lock its
    # rows in the same order, so PostgreSQL never finds them waiting on each other.
    rows = [final[user_id] for user_id in sorted(final)]
    written = await tx.executemany(upsert_vote(tx), rows)
    if written.rowcount == 0:  # closed since the check: nothing was written
        return None
    return outcomes


async def retract(tx: Transaction, poll_id: int, user_id: int) -> bool:
    """Remove the member's vote while the poll is open; False if there was none."""
    if not await is_open(tx, poll_id):
        raise PollError("This poll is closed: votes can no longer be changed.")
    cur = await tx.execute(
        "DELETE FROM poll_votes WHERE poll_id = ? AND user_id = ? AND EXISTS"
        f" (SELECT 1 {while_open(tx)})",
        (poll_id, user_id, poll_id),
    )
    return cur.rowcount > 0


async def tally(db: Reader, poll_id: int) -> Tally:
    rows = await db.fetchall(
        "SELECT o.label, count(v.user_id) FROM poll_options o"
        " LEFT JOIN poll_votes v ON v.poll_id = o.poll_id AND v.position = o.position"
        " WHERE o.poll_id = ? GROUP BY o.position, o.label ORDER BY o.position",
        (poll_id,),
    )
    return Tally(tuple(r[0] for r in rows), tuple(int(r[1]) for r in rows))


async def ballots(db: Reader, poll_id: int) -> dict[int, int]:
    """user id -> option position (for swing computation and public exports only)."""
    rows = await db.fetchall(
        "SELECT user_id, position FROM poll_votes WHERE poll_id = ?", (poll_id,)
    )
    return {int(u): int(p) for u, p in rows}


async def close_poll(tx: Transaction, poll_id: int, now: datetime, by: int | None = None) -> bool:
    """Close once: True only for the call that closed it (safe to call again, or twice)."""
    cur = await tx.execute(
        "UPDATE polls SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL",
        (iso(now), by, poll_id),
    )
    return cur.rowcount > 0


async def overdue_polls(db: Reader, now: datetime) -> list[int]:
    rows = await db.fetchall(
        "SELECT id FROM polls WHERE closed_at IS NULL AND closes_at IS NOT NULL"
        " AND closes_at <= ? ORDER BY closes_at",
        (iso(now),),
    )
    return [int(r[0]) for r in rows]


async def overdue_polls_by_guild(db: Reader, now: datetime) -> list[tuple[int, int]]:
    """(poll id, guild id) of open polls past their deadline (each process takes its own)."""
    rows = await db.fetchall(
        "SELECT id, guild_id FROM polls WHERE closed_at IS NULL AND closes_at IS NOT NULL"
        " AND closes_at <= ? ORDER BY closes_at",
        (iso(now),),
    )
    return [(int(r[0]), int(r[1])) for r in rows]


async def pending_deadlines_by_guild(db: Reader) -> list[tuple[int, int, datetime]]:
    rows = await db.fetchall(
        "SELECT id, guild_id, closes_at FROM polls WHERE closed_at IS NULL"
        " AND closes_at IS NOT NULL ORDER BY closes_at"
    )
    return [(int(r[0]), int(r[1]), parse(r[2])) for r in rows]


async def pending_deadlines(db: Reader) -> list[tuple[int, datetime]]:
    rows = await db.fetchall(
        "SELECT id, closes_at FROM polls WHERE closed_at IS NULL AND closes_at IS NOT NULL"
        " ORDER BY closes_at"
    )
    return [(int(r[0]), parse(r[1])) for r in rows]


async def recent_polls(db: Reader, guild_id: int, limit: int = 10) -> list[Poll]:
    rows = await db.fetchall(
        "SELECT id FROM polls WHERE guild_id = ? AND kind = 'poll' ORDER BY id DESC LIMIT ?",
        (guild_id, limit),
    )
    found = [await get_poll(db, int(r[0])) for r in rows]
    return [p for p in found if p is not None]


# ----------------------------------------------------------------------------- privacy

OPEN_VOTES = "vote[s] in open polls"
CLOSED_VOTES = "vote[s] in closed polls (kept in the counts without your name)"
CLOSED_VOTES_KEPT = "vote[s] in closed polls"
# The same words as the debates' part: /privacy adds the two counts up under one line.
RAN = "[poll or debate|polls and debates] you ran or spoke in (your name taken off)"
RAN_KEPT = "[poll or debate|polls and debates] you ran or spoke in"

# Every column of the feature's tables (bot/migrations/sql/sqlite/0004_debate.sql).
PERSONAL_COLUMNS = {
    "polls": ("created_by", "closed_by"),
    "poll_votes": ("user_id",),
}
OTHER_COLUMNS = {
    # The question and options are the published poll, addressed to the whole server
    # (presets, or a moderator's wording for everyone): they stay with it.
    "polls": (
        "id",
        "guild_id",
        "channel_id",
        "message_id",
        "question",
        "kind",
        "anonymous",
        "live",
        "role_id",
        "ballot_kind",
        "max_choices",
        "created_at",
        "closes_at",
        "closed_at",
    ),
    "poll_options": ("poll_id", "position", "label"),
    "poll_votes": ("poll_id", "position", "voted_at"),
}


async def _surrogate(tx: Transaction) -> int:
    """A fresh negative voter id: random (not derived from anyone's id), used by nobody."""
    while True:
        candidate = -(secrets.randbelow(2**62) + 1)
        voted = await tx.fetchval("SELECT 1 FROM poll_votes WHERE user_id = ?", (candidate,))
        if voted is None and not await ballot_store.used(tx, candidate):
            return candidate


async def forget(tx: Transaction, user_id: int) -> dict[str, int]:
    """Forget-me: what the member chose goes; published counts stay anonymous.

    Votes in open polls are deleted. Votes in closed polls stay in their counts under one
    surrogate id for this whole call (a debate's before/after pairing still holds). Polls
    they ran keep running under id 0 (no one).
    """
    opened = await tx.execute(
        "DELETE FROM poll_votes WHERE user_id = ? AND poll_id IN"
        f" (SELECT id FROM polls WHERE closed_at IS NULL{tx.for_share})",
        (user_id,),
    )
    opened_ballots = await ballot_store.forget_open(tx, user_id)  # approval and ranked polls
    closed = 0
    voted = await tx.fetchval("SELECT 1 FROM poll_votes WHERE user_id = ? LIMIT 1", (user_id,))
    if voted or await ballot_store.used(tx, user_id):
        surrogate = await _surrogate(tx)
        moved = await tx.execute(
            "UPDATE poll_votes SET user_id = ? WHERE user_id = ?", (surrogate, user_id)
        )
        closed = moved.rowcount + await ballot_store.anonymise_closed(tx, user_id, surrogate)
    ran_polls = await tx.execute(
        "UPDATE polls SET"
        " created_by = CASE WHEN created_by = ? THEN 0 ELSE created_by END,"
        " closed_by = CASE WHEN closed_by = ? THEN NULL ELSE closed_by END"
        " WHERE created_by = ? OR closed_by = ?",
        (user_id, user_id, user_id, user_id),
    )
    return {
        OPEN_VOTES: opened.rowcount + opened_ballots,
        CLOSED_VOTES: closed,
        RAN: ran_polls.rowcount,
    }


async def status(db: Reader, user_id: int) -> dict[str, int]:
    """What is kept about the member now, in the words forget-me's confirmation uses."""
    row = await db.fetchone(
        "SELECT"
        " (SELECT count(*) FROM poll_votes v JOIN polls p ON p.id = v.poll_id"
        "   WHERE v.user_id = ? AND p.closed_at IS NULL),"
        " (SELECT count(*) FROM poll_votes v JOIN polls p ON p.id = v.poll_id"
        "   WHERE v.user_id = ? AND p.closed_at IS NOT NULL),"
        " (SELECT count(*) FROM polls WHERE created_by = ? OR closed_by = ?)",
        (user_id,) * 4,
    )
    assert row is not None
    open_ballots, closed_ballots = await ballot_store.status_counts(db, user_id)
    return {
        OPEN_VOTES: int(row[0]) + open_ballots,
        CLOSED_VOTES_KEPT: int(row[1]) + closed_ballots,
        RAN_KEPT: int(row[2]),
    }
