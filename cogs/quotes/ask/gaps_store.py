"""/ask's loop in SQL: knowledge gaps, answer ratings, what a server taught, the stats.

Writes take the transaction they run in (the core owns it). The rules are in
:mod:`cogs.quotes.ask.gaps`. Gaps and ratings are kept :data:`sessions.KEEP` (90 days), as
the questions are; learned phrasings are the server's until a moderator or forget-me
removes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from bot import cache_sync
from bot.clock import iso
from bot.db import Reader, Transaction
from cogs.quotes.ask import sessions
from cogs.quotes.ask.gaps import Gap, Kind, Learned, Phrasebook, Reason, vector_bytes, vector_of


async def record(
    tx: Transaction,
    guild_id: int,
    user_id: int | None,
    question: str,
    vector: np.ndarray | None,
    reason: Reason,
    now: datetime,
) -> None:
    """One INSERT; nothing for a member who opted out of quotes (their words are not shown
    to curators)."""
    await tx.execute(
        "INSERT INTO ask_gaps (guild_id, user_id, question, vector, reason, created_at) "
        "SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
        "(SELECT 1 FROM privacy_optouts WHERE user_id = ? AND scope = 'quote')",
        (guild_id, user_id, question, vector_bytes(vector), reason, iso(now), user_id),
    )


async def open_gaps(db: Reader, guild_id: int) -> list[Gap]:
    async with db.execute(
        "SELECT id, question, vector, user_id, reason, created_at FROM ask_gaps "
        "WHERE guild_id = ? AND status = 'open' ORDER BY created_at, id",
        (guild_id,),
    ) as cur:
        rows = await cur.fetchall()
    return [Gap(r[0], r[1], vector_of(r[2]), r[3], r[4], r[5]) for r in rows]


async def resolve(
    tx: Transaction, guild_id: int, ids: list[int], status: str, quote_id: str | None = None
) -> int:
    """Close these open gaps of ``guild_id`` (answered, out_of_scope or dismissed)."""
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    cur = await tx.execute(
        f"UPDATE ask_gaps SET status = ?, quote_id = ? "
        f"WHERE guild_id = ? AND status = 'open' AND id IN ({marks})",
        (status, quote_id, guild_id, *ids),
    )
    return cur.rowcount


async def learn(
    tx: Transaction,
    guild_id: int,
    kind: Kind,
    gaps: list[Gap],
    decided_by: int,
    now: datetime,
    quote_id: str | None = None,
) -> None:
    """Each gap's wording becomes a phrasing this server learned (taught or out of scope);
    every process's :class:`Phrasebooks` hears of it (:data:`LEARNED`)."""
    await cache_sync.bump(tx, LEARNED, guild_id=guild_id)
    for gap in gaps:
        await tx.execute(
            "INSERT INTO ask_learned "
            "(guild_id, kind, question, vector, quote_id, asked_by, decided_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, kind, question) DO UPDATE SET quote_id = excluded.quote_id, "
            "decided_by = excluded.decided_by, created_at = excluded.created_at",
            (
                guild_id,
                kind,
                gap.question,
                vector_bytes(gap.vector),
                quote_id,
                gap.user_id,
                decided_by,
                iso(now),
            ),
        )


async def learned(db: Reader, guild_id: int, kind: Kind | None = None) -> list[Learned]:
    """What ``guild_id`` was taught (never another server's)."""
    sql = "SELECT kind, question, vector, quote_id FROM ask_learned WHERE guild_id = ?"
    params: tuple[object, ...] = (guild_id,)
    if kind is not None:
        sql += " AND kind = ?"
        params += (kind,)
    async with db.execute(sql + " ORDER BY id", params) as cur:
        rows = await cur.fetchall()
    return [Learned(r[0], r[1], vector_of(r[2]), r[3]) for r in rows]


LEARNED = "ask_learned"  # the cache_sync name of what servers taught /ask


class Phrasebooks:
    """Each server's learned phrasings as a :class:`Phrasebook`, read once and kept until a
    write says they changed (``cache_sync``: at once here, within the watcher's interval in
    other processes). A question then costs no query, one matrix product."""

    def __init__(self) -> None:
        self._books: dict[int, Phrasebook] = {}

    async def get(self, db: Reader, guild_id: int) -> Phrasebook:
        book = self._books.get(guild_id)
        if book is None:
            book = self._books[guild_id] = Phrasebook.of(await learned(db, guild_id))
        return book

    def changed(self, guild_id: int | None) -> None:
        """Forget the server's book (``None``: every server's)."""
        if guild_id is None:
            self._books.clear()
        else:
            self._books.pop(guild_id, None)


async def set_answer(tx: Transaction, session_id: str, quote_id: str | None) -> None:
    await tx.execute("UPDATE ask_sessions SET answer_id = ? WHERE id = ?", (quote_id, session_id))


async def rate(
    tx: Transaction,
    session_id: str,
    user_id: int,
    guild_id: int | None,
    helpful: bool,
    now: datetime,
) -> bool:
    """One rating per member per answer, changed by rating again. True when it is new or
    changed (False: the same rating again)."""
    cur = await tx.execute(
        "INSERT INTO ask_ratings (session_id, user_id, guild_id, helpful, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, user_id) DO UPDATE SET "
        "helpful = excluded.helpful, created_at = excluded.created_at "
        "WHERE ask_ratings.helpful <> excluded.helpful",
        (session_id, user_id, guild_id, int(helpful), iso(now)),
    )
    return bool(cur.rowcount)


async def ratings(db: Reader, session_id: str) -> tuple[int, int]:
    """(helpful, not helpful) for one answer."""
    async with db.execute(
        "SELECT coalesce(sum(helpful), 0), count(*) FROM ask_ratings WHERE session_id = ?",
        (session_id,),
    ) as cur:
        row = await cur.fetchone()
    helpful, total = (int(row[0]), int(row[1])) if row else (0, 0)
    return helpful, total - helpful


async def prune(tx: Transaction, now: datetime) -> int:
    """Retention: gaps older than :data:`sessions.KEEP` go (ratings go with their session)."""
    cur = await tx.execute("DELETE FROM ask_gaps WHERE created_at < ?", (iso(now - sessions.KEEP),))
    return cur.rowcount


# --- privacy -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Forgotten:
    gaps: int
    ratings: int
    learned: int


async def forget_user(tx: Transaction, user_id: int) -> Forgotten:
    """Forget-me: the member's gap questions, ratings and learned phrasings of their words;
    their name comes off the phrasings they decided as a curator."""
    gaps = (await tx.execute("DELETE FROM ask_gaps WHERE user_id = ?", (user_id,))).rowcount
    rated = (await tx.execute("DELETE FROM ask_ratings WHERE user_id = ?", (user_id,))).rowcount
    learned = (await tx.execute("DELETE FROM ask_learned WHERE asked_by = ?", (user_id,))).rowcount
    await tx.execute("UPDATE ask_learned SET decided_by = NULL WHERE decided_by = ?", (user_id,))
    return Forgotten(gaps, rated, learned)


async def withdraw_open(tx: Transaction, user_id: int) -> int:
    """Opting out of quotes: the member's open gap questions leave the curators' list."""
    cur = await tx.execute("DELETE FROM ask_gaps WHERE user_id = ? AND status = 'open'", (user_id,))
    return cur.rowcount


async def member_counts(db: Reader, user_id: int) -> Forgotten:
    async def count(sql: str) -> int:
        return int(await db.fetchval(sql, (user_id,)))

    return Forgotten(
        await count("SELECT count(*) FROM ask_gaps WHERE user_id = ?"),
        await count("SELECT count(*) FROM ask_ratings WHERE user_id = ?"),
        await count("SELECT count(*) FROM ask_learned WHERE asked_by = ?"),
    )


# --- stats -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stats:
    asked: int
    answered: int
    declined: int
    rated: int
    helpful: int
    open_gaps: int
    most_asked: list[tuple[str, int]]
    worst_rated: list[tuple[str, int, int]]  # quote id, not helpful, helpful


async def stats(db: Reader, guild_id: int, *, top: int = 5) -> Stats:
    """/ask in ``guild_id`` over the kept questions (:data:`sessions.KEEP`)."""
    g = (guild_id,)
    asked = int(await db.fetchval("SELECT count(*) FROM ask_sessions WHERE guild_id = ?", g))
    answered = int(
        await db.fetchval(
            "SELECT count(*) FROM ask_sessions WHERE guild_id = ? AND answer_id IS NOT NULL", g
        )
    )
    async with db.execute(
        "SELECT count(*), coalesce(sum(helpful), 0) FROM ask_ratings WHERE guild_id = ?", g
    ) as cur:
        row = await cur.fetchone()
    rated, helpful = (int(row[0]), int(row[1])) if row else (0, 0)
    open_gaps = int(
        await db.fetchval("SELECT count(*) FROM ask_gaps WHERE guild_id = ? AND status = 'open'", g)
    )
    async with db.execute(
        "SELECT min(question), count(*) AS n FROM ask_sessions WHERE guild_id = ? "
        "GROUP BY lower(question) ORDER BY n DESC, min(created_at) LIMIT ?",
        (guild_id, top),
    ) as cur:
        most = [(r[0], int(r[1])) for r in await cur.fetchall()]
    async with db.execute(
        "SELECT s.answer_id, sum(1 - r.helpful) AS bad, sum(r.helpful) AS good "
        "FROM ask_ratings AS r JOIN ask_sessions AS s ON s.id = r.session_id "
        "WHERE r.guild_id = ? AND s.answer_id IS NOT NULL GROUP BY s.answer_id "
        "HAVING sum(1 - r.helpful) > 0 ORDER BY bad DESC, good, s.answer_id LIMIT ?",
        (guild_id, top),
    ) as cur:
        worst = [(r[0], int(r[1]), int(r[2])) for r in await cur.fetchall()]
    return Stats(asked, answered, asked - answered, rated, helpful, open_gaps, most, worst)


# --- exports -----------------------------------------------------------------------------


async def taught(db: Reader, guild_id: int) -> list[tuple[str, str]]:
    """(quote id, phrasing) of what ``guild_id`` taught, by quote."""
    async with db.execute(
        "SELECT quote_id, question FROM ask_learned WHERE guild_id = ? AND kind = 'taught' "
        "AND quote_id IS NOT NULL ORDER BY quote_id, id",
        (guild_id,),
    ) as cur:
        return [(r[0], r[1]) for r in await cur.fetchall()]


async def out_of_scope(db: Reader, guild_id: int) -> list[str]:
    async with db.execute(
        "SELECT question FROM ask_learned WHERE guild_id = ? AND kind = 'out_of_scope' ORDER BY id",
        (guild_id,),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def rated_answers(db: Reader, guild_id: int) -> list[tuple[str, str, int, int]]:
    """(question, quote id, helpful, not helpful) of the rated answers of ``guild_id``."""
    async with db.execute(
        "SELECT s.question, s.answer_id, sum(r.helpful), sum(1 - r.helpful) "
        "FROM ask_ratings AS r JOIN ask_sessions AS s ON s.id = r.session_id "
        "WHERE r.guild_id = ? AND s.answer_id IS NOT NULL "
        "GROUP BY s.question, s.answer_id ORDER BY min(s.created_at)",
        (guild_id,),
    ) as cur:
        return [(r[0], r[1], int(r[2]), int(r[3])) for r in await cur.fetchall()]
