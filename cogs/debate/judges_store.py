"""Judges, ballots and released decisions in the database (migration 0060).

Integrity is in the schema: a judge sits on a panel once (primary key); a ballot is one row
per judge (primary key, ``ON CONFLICT`` changes it in place) and only a judge of the panel
has one (foreign key, which also takes a removed judge's ballot with them); a ballot is
written only while no decision row exists, and the decision is released once (its primary
key), so a ballot handed in as the chair releases is either counted or refused, never lost
silently. Forget-me (like the votes): a judge of an unreleased panel leaves it with their
ballot; a released ballot stays in the published decision under a negative surrogate id.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.clock import iso, parse
from bot.db import Reader, Transaction
from cogs.debate import judging
from cogs.debate.formats import Format

BALLOTS = "judge's seat[s] and ballot[s] (released ones kept in the decision without your name)"
BALLOTS_KEPT = "judge's seat[s] and ballot[s]"

PERSONAL_COLUMNS = {
    "debate_judges": ("user_id", "added_by"),
    "debate_ballots": ("judge_id", "ranking", "points"),
    "debate_decisions": ("released_by",),
}
OTHER_COLUMNS = {
    "debate_judges": ("debate_id", "added_at"),
    "debate_ballots": ("debate_id", "submitted_at", "changes"),
    "debate_decisions": ("debate_id", "released_at"),
}


@dataclass(frozen=True, slots=True)
class Released:
    by: int
    at: datetime


async def add_judge(tx: Transaction, debate_id: int, user_id: int, by: int, now: datetime) -> bool:
    """False if they already sit on the panel, or the decision is already out."""
    cur = await tx.execute(
        "INSERT INTO debate_judges (debate_id, user_id, added_by, added_at)"
        " SELECT ?, ?, ?, ? WHERE NOT EXISTS"
        " (SELECT 1 FROM debate_decisions WHERE debate_id = ?)"
        " ON CONFLICT DO NOTHING",
        (debate_id, user_id, by, iso(now), debate_id),
    )
    return cur.rowcount > 0


async def remove_judge(tx: Transaction, debate_id: int, user_id: int) -> bool:
    """The judge and their ballot (cascade) leave the panel; not once it is released."""
    cur = await tx.execute(
        "DELETE FROM debate_judges WHERE debate_id = ? AND user_id = ? AND NOT EXISTS"
        " (SELECT 1 FROM debate_decisions WHERE debate_id = ?)",
        (debate_id, user_id, debate_id),
    )
    return cur.rowcount > 0


async def judges(db: Reader, debate_id: int) -> list[int]:
    rows = await db.fetchall(
        "SELECT user_id FROM debate_judges WHERE debate_id = ? ORDER BY added_at, user_id",
        (debate_id,),
    )
    return [int(r[0]) for r in rows]


async def is_judge(db: Reader, debate_id: int, user_id: int) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM debate_judges WHERE debate_id = ? AND user_id = ?", (debate_id, user_id)
    )
    return row is not None


async def submit(
    tx: Transaction, debate_id: int, ballot: judging.Ballot, fmt: Format, now: datetime
) -> bool:
    """Hand in or change a ballot; False when the decision is out (or they left the panel)."""
    cur = await tx.execute(
        "INSERT INTO debate_ballots (debate_id, judge_id, ranking, points, submitted_at)"
        " SELECT ?, ?, ?, ?, ? WHERE EXISTS"
        " (SELECT 1 FROM debate_judges WHERE debate_id = ? AND user_id = ?)"
        " AND NOT EXISTS (SELECT 1 FROM debate_decisions WHERE debate_id = ?)"
        " ON CONFLICT (debate_id, judge_id) DO UPDATE SET ranking = excluded.ranking,"
        " points = excluded.points, submitted_at = excluded.submitted_at,"
        " changes = debate_ballots.changes + 1",
        (
            debate_id,
            ballot.judge_id,
            judging.encode_ranking(fmt, ballot.ranking),
            judging.encode(ballot.points),
            iso(now),
            debate_id,
            ballot.judge_id,
            debate_id,
        ),
    )
    return cur.rowcount > 0


async def ballots(db: Reader, debate_id: int, fmt: Format) -> list[judging.Ballot]:
    rows = await db.fetchall(
        "SELECT b.judge_id, b.ranking, b.points FROM debate_ballots b"
        " JOIN debate_judges j ON j.debate_id = b.debate_id AND j.user_id = b.judge_id"
        " WHERE b.debate_id = ? ORDER BY j.added_at, j.user_id",
        (debate_id,),
    )
    return [
        judging.Ballot(int(r[0]), judging.decode_ranking(fmt, r[1]), judging.decode_points(r[2]))
        for r in rows
    ]


async def ballot_of(
    db: Reader, debate_id: int, judge_id: int, fmt: Format
) -> judging.Ballot | None:
    found = [b for b in await ballots(db, debate_id, fmt) if b.judge_id == judge_id]
    return found[0] if found else None


async def release(tx: Transaction, debate_id: int, by: int, now: datetime) -> bool:
    """The chair releases the decision: True only for the first release."""
    cur = await tx.execute(
        "INSERT INTO debate_decisions (debate_id, released_by, released_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (debate_id, by, iso(now)),
    )
    return cur.rowcount > 0


async def released(db: Reader, debate_id: int) -> Released | None:
    row = await db.fetchone(
        "SELECT released_by, released_at FROM debate_decisions WHERE debate_id = ?",
        (debate_id,),
    )
    return None if row is None else Released(int(row[0]), parse(row[1]))


async def forget(tx: Transaction, user_id: int) -> int:
    """Forget-me: unreleased seats and ballots go; released ones stay under a surrogate."""
    unreleased = await tx.execute(
        "DELETE FROM debate_judges WHERE user_id = ? AND debate_id NOT IN"
        " (SELECT debate_id FROM debate_decisions)",
        (user_id,),
    )
    kept = 0
    if await tx.fetchval("SELECT 1 FROM debate_judges WHERE user_id = ? LIMIT 1", (user_id,)):
        surrogate = -(secrets.randbelow(2**62) + 1)  # random, derived from no one's id
        # The ballots follow their judge's row (ON UPDATE CASCADE).
        moved = await tx.execute(
            "UPDATE debate_judges SET user_id = ? WHERE user_id = ?", (surrogate, user_id)
        )
        kept = moved.rowcount
    added = await tx.execute("UPDATE debate_judges SET added_by = 0 WHERE added_by = ?", (user_id,))
    chaired = await tx.execute(
        "UPDATE debate_decisions SET released_by = 0 WHERE released_by = ?", (user_id,)
    )
    return unreleased.rowcount + kept + added.rowcount + chaired.rowcount


async def status(db: Reader, user_id: int) -> int:
    value = await db.fetchval(
        "SELECT (SELECT count(*) FROM debate_judges WHERE user_id = ? OR added_by = ?)"
        " + (SELECT count(*) FROM debate_decisions WHERE released_by = ?)",
        (user_id, user_id, user_id),
    )
    return int(value or 0)
