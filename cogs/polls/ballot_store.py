"""The SQL of approval and ranked ballots (``poll_ballots``), beside :mod:`cogs.debate.store`.

One ballot per member and poll is the table's key: casting again is an upsert, guarded so it
lands only while the poll is open (the same rule as ``store.upsert_vote``). Writers take the
transaction they run in; readers a :class:`~bot.db.Reader`. Forget-me's part is called by
``store.forget`` so one surrogate id serves both vote tables.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import iso
from bot.db import Reader, Transaction
from cogs.polls import polls
from cogs.polls.ballots import decode, encode
from cogs.polls.polls import PollError


def _while_open(tx: Transaction) -> str:
    # store.while_open's guard (store imports this module): the poll's row share-locked on
    # PostgreSQL, so a close elsewhere waits for the ballot and counts it.
    return f"FROM polls WHERE id = ? AND closed_at IS NULL{tx.for_share}"


def upsert_ballot(tx: Transaction) -> str:
    """The guarded ballot upsert: parameters (poll, user, choices, when, poll)."""
    return (
        "INSERT INTO poll_ballots (poll_id, user_id, choices, cast_at)"
        f" SELECT ?, ?, ?, ? {_while_open(tx)}"
        " ON CONFLICT (poll_id, user_id) DO UPDATE"
        " SET choices = excluded.choices, cast_at = excluded.cast_at"
    )


async def set_kind(tx: Transaction, poll_id: int, kind: str, max_choices: int | None) -> None:
    """Make a just-created poll an approval or ranked one (same transaction as the poll)."""
    await tx.execute(
        "UPDATE polls SET ballot_kind = ?, max_choices = ? WHERE id = ?",
        (kind, max_choices, poll_id),
    )


async def current(db: Reader, poll_id: int, user_id: int) -> tuple[int, ...] | None:
    text = await db.fetchval(
        "SELECT choices FROM poll_ballots WHERE poll_id = ? AND user_id = ?", (poll_id, user_id)
    )
    return decode(text) if text is not None else None


async def cast(
    tx: Transaction, poll_id: int, user_id: int, choices: tuple[int, ...], now: datetime
) -> tuple[int, ...] | None:
    """Record or replace the member's ballot; returns the previous one (None if first).

    PollError when the poll is closed (the guarded upsert wrote nothing).
    """
    previous = await current(tx, poll_id, user_id)
    cur = await tx.execute(
        upsert_ballot(tx), (poll_id, user_id, encode(choices), iso(now), poll_id)
    )
    if cur.rowcount == 0:
        raise PollError(polls.CLOSED)
    return previous


async def is_open(db: Reader, poll_id: int) -> bool:
    return bool(await db.fetchval("SELECT closed_at IS NULL FROM polls WHERE id = ?", (poll_id,)))


async def retract(tx: Transaction, poll_id: int, user_id: int) -> bool:
    """Remove the member's ballot while the poll is open; False if there was none."""
    if not await is_open(tx, poll_id):
        raise PollError("This poll is closed: votes can no longer be changed.")
    cur = await tx.execute(
        "DELETE FROM poll_ballots WHERE poll_id = ? AND user_id = ? AND EXISTS"
        f" (SELECT 1 {_while_open(tx)})",
        (poll_id, user_id, poll_id),
    )
    return cur.rowcount > 0


async def ballots(db: Reader, poll_id: int) -> dict[int, tuple[int, ...]]:
    """Every ballot of the poll: user id (negative: a forgotten member) -> choices."""
    rows = await db.fetchall(
        "SELECT user_id, choices FROM poll_ballots WHERE poll_id = ?", (poll_id,)
    )
    return {int(r[0]): decode(r[1]) for r in rows}


async def count(db: Reader, poll_id: int) -> int:
    return int(await db.fetchval("SELECT count(*) FROM poll_ballots WHERE poll_id = ?", (poll_id,)))


# ----------------------------------------------------------------------------- privacy

PERSONAL_COLUMNS = {"poll_ballots": ("user_id",)}
OTHER_COLUMNS = {
    # A ballot's choices are kept under a surrogate id once its poll closed, like a vote.
    "poll_ballots": ("poll_id", "choices", "cast_at"),
}


async def used(db: Reader, user_id: int) -> bool:
    return bool(
        await db.fetchval("SELECT 1 FROM poll_ballots WHERE user_id = ? LIMIT 1", (user_id,))
    )


async def forget_open(tx: Transaction, user_id: int) -> int:
    """Delete the member's ballots in open polls (they can vote again if they come back)."""
    cur = await tx.execute(
        "DELETE FROM poll_ballots WHERE user_id = ? AND poll_id IN"
        f" (SELECT id FROM polls WHERE closed_at IS NULL{tx.for_share})",
        (user_id,),
    )
    return cur.rowcount


async def anonymise_closed(tx: Transaction, user_id: int, surrogate: int) -> int:
    """Move the member's remaining (closed-poll) ballots to forget-me's surrogate id."""
    cur = await tx.execute(
        "UPDATE poll_ballots SET user_id = ? WHERE user_id = ?", (surrogate, user_id)
    )
    return cur.rowcount


async def status_counts(db: Reader, user_id: int) -> tuple[int, int]:
    """The member's ballots in open polls and in closed polls."""
    row = await db.fetchone(
        "SELECT"
        " (SELECT count(*) FROM poll_ballots b JOIN polls p ON p.id = b.poll_id"
        "   WHERE b.user_id = ? AND p.closed_at IS NULL),"
        " (SELECT count(*) FROM poll_ballots b JOIN polls p ON p.id = b.poll_id"
        "   WHERE b.user_id = ? AND p.closed_at IS NOT NULL)",
        (user_id, user_id),
    )
    assert row is not None
    return int(row[0]), int(row[1])
