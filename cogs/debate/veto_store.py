"""Motion vetoes in the database (migration 0060): the three motions, the strikes, the choice.

Integrity is in the schema: one strike per side (primary key) and never the motion the other
side struck (unique position), so two members of a side pressing at once strike once; a
strike is written only while the veto is open, and the motion is chosen once (a conditional
UPDATE), whether by the second strike or by the veto's timer.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.clock import iso, parse
from bot.db import Reader, Transaction
from cogs.debate.veto import Veto

STRIKES = "motion veto strike[s] (kept in the veto without your name)"
STRIKES_KEPT = "motion veto strike[s]"

PERSONAL_COLUMNS = {"debate_veto_strikes": ("user_id",)}
OTHER_COLUMNS = {
    # The motions are the moderator's, published to the server like the debate's motion.
    "debate_vetoes": ("debate_id", "motions", "deadline", "message_id", "chosen", "chosen_at"),
    "debate_veto_strikes": ("debate_id", "side", "position", "struck_at"),
}


async def create(
    tx: Transaction, debate_id: int, motions: tuple[str, ...], deadline: datetime
) -> None:
    await tx.execute(
        "INSERT INTO debate_vetoes (debate_id, motions, deadline) VALUES (?, ?, ?)",
        (debate_id, json.dumps(list(motions)), iso(deadline)),
    )


async def set_message(tx: Transaction, debate_id: int, message_id: int) -> None:
    await tx.execute(
        "UPDATE debate_vetoes SET message_id = ? WHERE debate_id = ?", (message_id, debate_id)
    )


async def get(db: Reader, debate_id: int) -> Veto | None:
    row = await db.fetchone(
        "SELECT motions, deadline, chosen FROM debate_vetoes WHERE debate_id = ?", (debate_id,)
    )
    if row is None:
        return None
    strikes = await db.fetchall(
        "SELECT side, position FROM debate_veto_strikes WHERE debate_id = ?", (debate_id,)
    )
    return Veto(
        debate_id=debate_id,
        motions=tuple(json.loads(row[0])),
        deadline=parse(row[1]),
        strikes={str(s[0]): int(s[1]) for s in strikes},
        chosen=row[2],
    )


async def message_id(db: Reader, debate_id: int) -> int | None:
    value = await db.fetchval(
        "SELECT message_id FROM debate_vetoes WHERE debate_id = ?", (debate_id,)
    )
    return None if value is None else int(value)


async def pending(db: Reader) -> list[Veto]:
    rows = await db.fetchall(
        "SELECT debate_id FROM debate_vetoes WHERE chosen IS NULL ORDER BY debate_id"
    )
    found = [await get(db, int(r[0])) for r in rows]
    return [v for v in found if v is not None]


async def is_open(db: Reader, debate_id: int) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM debate_vetoes WHERE debate_id = ? AND chosen IS NULL", (debate_id,)
    )
    return row is not None


async def strike(
    tx: Transaction, debate_id: int, side: str, position: int, user_id: int, now: datetime
) -> bool:
    """The side's strike; False if the side struck already, the motion is struck, or the
    veto is over."""
    cur = await tx.execute(
        "INSERT INTO debate_veto_strikes (debate_id, side, position, user_id, struck_at)"
        " SELECT ?, ?, ?, ?, ? WHERE EXISTS"
        " (SELECT 1 FROM debate_vetoes WHERE debate_id = ? AND chosen IS NULL)"
        " ON CONFLICT DO NOTHING",
        (debate_id, side, position, user_id, iso(now), debate_id),
    )
    return cur.rowcount > 0


async def choose(tx: Transaction, debate_id: int, position: int, now: datetime) -> bool:
    """The motion debated, chosen once: True only for the call that chose it."""
    cur = await tx.execute(
        "UPDATE debate_vetoes SET chosen = ?, chosen_at = ? WHERE debate_id = ? AND chosen IS NULL",
        (position, iso(now), debate_id),
    )
    return cur.rowcount > 0


async def forget(tx: Transaction, user_id: int) -> int:
    """A strike decided the motion: it stays, under id 0 (no one)."""
    cur = await tx.execute(
        "UPDATE debate_veto_strikes SET user_id = 0 WHERE user_id = ?", (user_id,)
    )
    return cur.rowcount


async def status(db: Reader, user_id: int) -> int:
    value = await db.fetchval(
        "SELECT count(*) FROM debate_veto_strikes WHERE user_id = ?", (user_id,)
    )
    return int(value or 0)
