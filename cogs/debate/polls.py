"""Motion polls in SQLite: create, vote (one per member, by key), retract, tally, close, export.

Integrity lives in the schema: ``poll_votes`` has the key ``(poll_id, user_id)`` so a vote is
an upsert, never a read-then-write, and a vote or close only applies while ``closed_at IS
NULL``. No discord import: the cog, the CLI and the benchmark share this module.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from cogs.debate.clock import iso, parse
from cogs.debate.motions import MOTION_LIMIT, check_options


class PollError(ValueError):
    """A request the poll cannot honour (closed, unknown option...); the text says why."""


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    question: str
    kind: str
    anonymous: bool
    live: bool
    role_id: int | None
    created_by: int
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    options: tuple[str, ...]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class Tally:
    options: tuple[str, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    def percentages(self) -> tuple[int, ...]:
        """Whole percentages that add up to 100 (largest remainder); zeros when nobody voted."""
        return whole_percentages(self.counts)

    def rows(self) -> list[tuple[str, int, int]]:
        return list(zip(self.options, self.counts, self.percentages(), strict=True))


def whole_percentages(counts: Sequence[int]) -> tuple[int, ...]:
    total = sum(counts)
    if total == 0:
        return tuple(0 for _ in counts)
    exact = [c * 100 / total for c in counts]
    floors = [int(x) for x in exact]
    short = 100 - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:short]:
        floors[i] += 1
    return tuple(floors)


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    previous: int | None  # the option the member had chosen before, if any
    position: int


async def create_poll(
    db: aiosqlite.Connection,
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
    commit: bool = True,
) -> int:
    question = question.strip()
    if not 1 <= len(question) <= MOTION_LIMIT:
        raise PollError(f"The motion or question must be 1-{MOTION_LIMIT} characters.")
    try:
        cleaned = check_options(list(options))
    except ValueError as exc:
        raise PollError(str(exc).capitalize() + ".") from None
    if closes_at is not None and closes_at <= now:
        raise PollError("The poll must close in the future.")
    cur = await db.execute(
        "INSERT INTO polls (guild_id, channel_id, question, kind, anonymous, live, role_id,"
        " created_by, created_at, closes_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    poll_id = int(cur.lastrowid or 0)
    await db.executemany(
        "INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)",
        [(poll_id, i, label) for i, label in enumerate(cleaned)],
    )
    if commit:
        await db.commit()
    return poll_id


async def set_message(db: aiosqlite.Connection, poll_id: int, message_id: int) -> None:
    await db.execute("UPDATE polls SET message_id = ? WHERE id = ?", (message_id, poll_id))
    await db.commit()


def _poll(row: aiosqlite.Row, options: tuple[str, ...]) -> Poll:
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
    )


async def get_poll(db: aiosqlite.Connection, poll_id: int) -> Poll | None:
    async with db.execute("SELECT * FROM polls WHERE id = ?", (poll_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    async with db.execute(
        "SELECT label FROM poll_options WHERE poll_id = ? ORDER BY position", (poll_id,)
    ) as cur:
        options = tuple(r[0] for r in await cur.fetchall())
    return _poll(row, options)


async def require_poll(db: aiosqlite.Connection, poll_id: int, guild_id: int | None) -> Poll:
    poll = await get_poll(db, poll_id)
    if poll is None or (guild_id is not None and poll.guild_id != guild_id):
        raise PollError(f"There is no poll #{poll_id} in this server.")
    return poll


UPSERT_VOTE = (
    "INSERT INTO poll_votes (poll_id, user_id, position, voted_at)"
    " SELECT ?, ?, ?, ? WHERE EXISTS"
    " (SELECT 1 FROM polls WHERE id = ? AND closed_at IS NULL)"
    " ON CONFLICT (poll_id, user_id) DO UPDATE"
    " SET position = excluded.position, voted_at = excluded.voted_at"
)


async def current_vote(db: aiosqlite.Connection, poll_id: int, user_id: int) -> int | None:
    async with db.execute(
        "SELECT position FROM poll_votes WHERE poll_id = ? AND user_id = ?", (poll_id, user_id)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else int(row[0])


async def vote(
    db: aiosqlite.Connection,
    poll_id: int,
    user_id: int,
    position: int,
    now: datetime,
    *,
    commit: bool = True,
) -> VoteOutcome:
    """Record (or move) the member's vote. Raises PollError when the poll is closed.

    The earlier choice is read only to word the confirmation; the key decides correctness.
    """
    previous = await current_vote(db, poll_id, user_id)
    cur = await db.execute(UPSERT_VOTE, (poll_id, user_id, position, iso(now), poll_id))
    if commit:
        await db.commit()
    if cur.rowcount == 0:
        raise PollError("This poll is closed: your vote was not counted.")
    return VoteOutcome(previous, position)


async def retract(db: aiosqlite.Connection, poll_id: int, user_id: int) -> bool:
    """Remove the member's vote while the poll is open; False if there was none."""
    async with db.execute("SELECT closed_at FROM polls WHERE id = ?", (poll_id,)) as cur:
        row = await cur.fetchone()
    if row is None or row[0] is not None:
        raise PollError("This poll is closed: votes can no longer be changed.")
    cur = await db.execute(
        "DELETE FROM poll_votes WHERE poll_id = ? AND user_id = ? AND EXISTS"
        " (SELECT 1 FROM polls WHERE id = ? AND closed_at IS NULL)",
        (poll_id, user_id, poll_id),
    )
    await db.commit()
    return cur.rowcount > 0


async def tally(db: aiosqlite.Connection, poll_id: int) -> Tally:
    async with db.execute(
        "SELECT o.label, count(v.user_id) FROM poll_options o"
        " LEFT JOIN poll_votes v ON v.poll_id = o.poll_id AND v.position = o.position"
        " WHERE o.poll_id = ? GROUP BY o.position ORDER BY o.position",
        (poll_id,),
    ) as cur:
        rows = await cur.fetchall()
    return Tally(tuple(r[0] for r in rows), tuple(int(r[1]) for r in rows))


async def ballots(db: aiosqlite.Connection, poll_id: int) -> dict[int, int]:
    """user id -> option position (for swing computation and public exports only)."""
    async with db.execute(
        "SELECT user_id, position FROM poll_votes WHERE poll_id = ?", (poll_id,)
    ) as cur:
        return {int(u): int(p) for u, p in await cur.fetchall()}


async def close(
    db: aiosqlite.Connection, poll_id: int, now: datetime, by: int | None = None
) -> bool:
    """Close once: True only for the call that closed it (safe to call again, or twice)."""
    cur = await db.execute(
        "UPDATE polls SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL",
        (iso(now), by, poll_id),
    )
    await db.commit()
    return cur.rowcount > 0


async def overdue(db: aiosqlite.Connection, now: datetime) -> list[int]:
    async with db.execute(
        "SELECT id FROM polls WHERE closed_at IS NULL AND closes_at IS NOT NULL"
        " AND closes_at <= ? ORDER BY closes_at",
        (iso(now),),
    ) as cur:
        return [int(r[0]) for r in await cur.fetchall()]


async def pending_deadlines(db: aiosqlite.Connection) -> list[tuple[int, datetime]]:
    async with db.execute(
        "SELECT id, closes_at FROM polls WHERE closed_at IS NULL AND closes_at IS NOT NULL"
        " ORDER BY closes_at"
    ) as cur:
        return [(int(r[0]), parse(r[1])) for r in await cur.fetchall()]


async def recent(db: aiosqlite.Connection, guild_id: int, limit: int = 10) -> list[Poll]:
    async with db.execute(
        "SELECT id FROM polls WHERE guild_id = ? AND kind = 'poll' ORDER BY id DESC LIMIT ?",
        (guild_id, limit),
    ) as cur:
        ids = [int(r[0]) for r in await cur.fetchall()]
    return [p for p in [await get_poll(db, i) for i in ids] if p is not None]


def export_data(poll: Poll, counts: Tally, voters: dict[int, int] | None) -> dict[str, Any]:
    """The export document. ``voters`` (user id -> option) only for polls created public."""
    data: dict[str, Any] = {
        "poll_id": poll.id,
        "question": poll.question,
        "anonymous": poll.anonymous,
        "created_at": iso(poll.created_at),
        "closes_at": iso(poll.closes_at) if poll.closes_at else None,
        "closed_at": iso(poll.closed_at) if poll.closed_at else None,
        "total_votes": counts.total,
        "options": [
            {"option": label, "votes": n, "percent": pct} for label, n, pct in counts.rows()
        ],
    }
    if voters is not None and not poll.anonymous:
        data["votes"] = [
            {"user_id": str(uid), "option": poll.options[pos]}
            for uid, pos in sorted(voters.items())
        ]
    return data


def export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def export_csv(data: dict[str, Any]) -> str:
    """Counts per option; for a public poll a second section lists each member's vote."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["poll_id", "question", "option", "votes", "percent"])
    for row in data["options"]:
        writer.writerow(
            [data["poll_id"], data["question"], row["option"], row["votes"], row["percent"]]
        )
    if "votes" in data:
        writer.writerow([])
        writer.writerow(["user_id", "option"])
        for row in data["votes"]:
            writer.writerow([row["user_id"], row["option"]])
    return out.getvalue()
