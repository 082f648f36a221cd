"""Points of information in the database (``debate_pois``, migration 0010).

Integrity is in the schema: the partial unique index ``debate_pois_pending`` lets one point
wait for an answer per debate, so an offer is an insert that does nothing when another waits
(no read-then-write); an answer applies only while ``answer IS NULL``, so the speaker and a
moderator pressing at once answer it once. A point still waiting when its speech ended
(``speech_seq`` no longer the debate's ``timer_seq``) lapses the next time anyone touches it.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import iso
from bot.db import Reader, Record, Transaction
from cogs.debate.debates import PointOfInformation

POIS = "point[s] of information you offered or answered (kept in the counts without your name)"
POIS_KEPT = "point[s] of information you offered or answered"

PERSONAL_COLUMNS = {"debate_pois": ("user_id", "answered_by")}
OTHER_COLUMNS = {
    "debate_pois": (
        "id",
        "debate_id",
        "speech_index",
        "speech_seq",
        "offered_at",
        "message_id",
        "answer",
        "answered_at",
    )
}


def _poi(row: Record) -> PointOfInformation:
    return PointOfInformation(
        id=row["id"],
        debate_id=row["debate_id"],
        speech_index=row["speech_index"],
        speech_seq=row["speech_seq"],
        user_id=row["user_id"],
        message_id=row["message_id"],
        answer=row["answer"],
    )


async def lapse_stale(tx: Transaction, debate_id: int, seq: int, now: datetime) -> int:
    """Points still waiting from an earlier speech lapse (their speech is over)."""
    cur = await tx.execute(
        "UPDATE debate_pois SET answer = 'lapsed', answered_at = ?"
        " WHERE debate_id = ? AND answer IS NULL AND speech_seq != ?",
        (iso(now), debate_id, seq),
    )
    return cur.rowcount


async def offer(
    tx: Transaction,
    debate_id: int,
    speech_index: int,
    seq: int,
    user_id: int,
    now: datetime,
) -> int | None:
    """Offer a point in speech ``seq``; None when another waits or the speech moved on."""
    await lapse_stale(tx, debate_id, seq, now)
    value = await tx.fetchval(
        "INSERT INTO debate_pois (debate_id, speech_index, speech_seq, user_id, offered_at)"
        " SELECT ?, ?, ?, ?, ? WHERE EXISTS"
        " (SELECT 1 FROM debates WHERE id = ? AND timer_seq = ?)"
        " ON CONFLICT DO NOTHING RETURNING id",
        (debate_id, speech_index, seq, user_id, iso(now), debate_id, seq),
    )
    return None if value is None else int(value)


async def set_message(tx: Transaction, poi_id: int, message_id: int) -> None:
    await tx.execute("UPDATE debate_pois SET message_id = ? WHERE id = ?", (message_id, poi_id))


async def get(db: Reader, poi_id: int) -> PointOfInformation | None:
    row = await db.fetchone("SELECT * FROM debate_pois WHERE id = ?", (poi_id,))
    return None if row is None else _poi(row)


async def pending(db: Reader, debate_id: int) -> PointOfInformation | None:
    row = await db.fetchone(
        "SELECT * FROM debate_pois WHERE debate_id = ? AND answer IS NULL", (debate_id,)
    )
    return None if row is None else _poi(row)


async def answer(tx: Transaction, poi_id: int, answer: str, by: int | None, now: datetime) -> bool:
    """Answer once: True only for the call that answered it."""
    cur = await tx.execute(
        "UPDATE debate_pois SET answer = ?, answered_by = ?, answered_at = ?"
        " WHERE id = ? AND answer IS NULL",
        (answer, by, iso(now), poi_id),
    )
    return cur.rowcount > 0


async def counts(db: Reader, debate_id: int) -> dict[int, dict[str, int]]:
    """speech index -> {"accepted": n, "declined": n, "lapsed": n, "waiting": n}."""
    rows = await db.fetchall(
        "SELECT speech_index, COALESCE(answer, 'waiting'), count(*) FROM debate_pois"
        " WHERE debate_id = ? GROUP BY speech_index, COALESCE(answer, 'waiting')",
        (debate_id,),
    )
    found: dict[int, dict[str, int]] = {}
    for index, answered, n in rows:
        found.setdefault(int(index), {})[str(answered)] = int(n)
    return found


async def accepted_in(db: Reader, debate_id: int, seq: int) -> list[int]:
    """Who had a point of information accepted in speech ``seq`` (a Stage brought them up)."""
    rows = await db.fetchall(
        "SELECT DISTINCT user_id FROM debate_pois WHERE debate_id = ? AND speech_seq = ?"
        " AND answer = 'accepted'",
        (debate_id, seq),
    )
    return [int(r[0]) for r in rows]


async def forget(tx: Transaction, user_id: int) -> int:
    """A waiting point goes; answered ones stay counted under id 0 (no one)."""
    waiting = await tx.execute(
        "DELETE FROM debate_pois WHERE user_id = ? AND answer IS NULL", (user_id,)
    )
    offered = await tx.execute("UPDATE debate_pois SET user_id = 0 WHERE user_id = ?", (user_id,))
    answered = await tx.execute(
        "UPDATE debate_pois SET answered_by = 0 WHERE answered_by = ?", (user_id,)
    )
    return waiting.rowcount + offered.rowcount + answered.rowcount


async def status(db: Reader, user_id: int) -> int:
    value = await db.fetchval(
        "SELECT count(*) FROM debate_pois WHERE user_id = ? OR answered_by = ?",
        (user_id, user_id),
    )
    return int(value or 0)
