"""Questions asked with /ask, so the answer's buttons work after a restart.

A custom_id holds at most 100 characters and a question up to 300, so the buttons carry
a short random id of a row in ``ask_sessions``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

KEEP = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    question: str
    guild_id: int | None
    user_id: int | None


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def create(
    db: aiosqlite.Connection,
    question: str,
    guild_id: int | None,
    user_id: int | None,
    now: datetime,
) -> str:
    while True:
        session_id = secrets.token_hex(5)
        cur = await db.execute(
            "INSERT OR IGNORE INTO ask_sessions (id, question, guild_id, user_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (session_id, question, guild_id, user_id, _stamp(now)),
        )
        if cur.rowcount:  # the primary key refused a (rare) clash: draw another id
            await db.commit()
            return session_id


async def get(db: aiosqlite.Connection, session_id: str) -> Session | None:
    async with db.execute(
        "SELECT id, question, guild_id, user_id FROM ask_sessions WHERE id = ?", (session_id,)
    ) as cur:
        row = await cur.fetchone()
    return Session(row[0], row[1], row[2], row[3]) if row else None


async def prune(db: aiosqlite.Connection, now: datetime) -> int:
    """Forget questions older than :data:`KEEP`; their buttons then say to ask again."""
    cur = await db.execute("DELETE FROM ask_sessions WHERE created_at < ?", (_stamp(now - KEEP),))
    await db.commit()
    return cur.rowcount


async def forget_user(db: aiosqlite.Connection, user_id: int) -> int:
    """ "Forget me": drop the questions a member asked (they are their words)."""
    cur = await db.execute("DELETE FROM ask_sessions WHERE user_id = ?", (user_id,))
    await db.commit()
    return cur.rowcount
