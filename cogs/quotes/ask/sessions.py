"""Questions asked with /ask, so the answer's buttons work after a restart.

A custom_id holds at most 100 characters and a question up to 300, so the buttons carry
a short random id of a row in ``ask_sessions``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import iso
from bot.db import Reader, Transaction

KEEP = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    question: str
    guild_id: int | None
    user_id: int | None


def _stamp(when: datetime) -> str:
    return iso(when)


async def create(
    tx: Transaction,
    question: str,
    guild_id: int | None,
    user_id: int | None,
    now: datetime,
    answer_id: str | None = None,
) -> str:
    """A stored question (``answer_id``: the passage its answer led with, None: declined)."""
    for _ in range(8):  # 40 random bits: a clash is rare, eight in a row never happens
        session_id = secrets.token_hex(5)
        cur = await tx.execute(
            "INSERT INTO ask_sessions (id, question, guild_id, user_id, created_at, answer_id) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (session_id, question, guild_id, user_id, _stamp(now), answer_id),
        )
        if cur.rowcount:  # the primary key refused a (rare) clash: draw another id
            return session_id
    # Not a clash: the row itself is refused (never retry forever on what the member typed).
    raise ValueError(f"the question {question[:40]!r} could not be stored")


async def get(db: Reader, session_id: str) -> Session | None:
    async with db.execute(
        "SELECT id, question, guild_id, user_id FROM ask_sessions WHERE id = ?", (session_id,)
    ) as cur:
        row = await cur.fetchone()
    return Session(row[0], row[1], row[2], row[3]) if row else None


async def prune(tx: Transaction, now: datetime) -> int:
    """Forget questions older than :data:`KEEP`; their buttons then say to ask again."""
    cur = await tx.execute("DELETE FROM ask_sessions WHERE created_at < ?", (_stamp(now - KEEP),))
    return cur.rowcount


async def forget_user(tx: Transaction, user_id: int) -> int:
    """ "Forget me": drop the questions a member asked (they are their words)."""
    cur = await tx.execute("DELETE FROM ask_sessions WHERE user_id = ?", (user_id,))
    return cur.rowcount


async def count_user(db: Reader, user_id: int) -> int:
    """How many questions of the member are kept (for /privacy status)."""
    return int(await db.fetchval("SELECT count(*) FROM ask_sessions WHERE user_id = ?", (user_id,)))
