"""Passages /ask can return: approved quotes, curated (shared) or the asking guild's own."""

from __future__ import annotations

from collections.abc import Iterable

from bot.db import Reader, Record
from cogs.quotes.quote import StoredQuote
from cogs.quotes.quote_store import SELECT, VISIBLE

# A passage is the one quote row model; VISIBLE is the store's one visibility rule.
Passage = StoredQuote
__all__ = ["VISIBLE", "Passage", "by_quote_id", "fetch", "neighbours", "visible"]


def _passage(row: Record) -> Passage:
    return Passage.from_row(row)


async def fetch(db: Reader, rowids: Iterable[int]) -> dict[int, Passage]:
    """Passages by rowid (any status: callers filtered visibility already)."""
    ids = list(dict.fromkeys(rowids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    async with db.execute(f"{SELECT} WHERE q.rowid IN ({marks})", ids) as cur:
        return {row["rowid"]: _passage(row) for row in await cur.fetchall()}


async def visible(db: Reader, rowids: list[int], guild_id: int | None) -> set[int]:
    """Which of ``rowids`` ``guild_id`` may see now (the vector matrix can lag behind)."""
    if not rowids:
        return set()
    params: dict[str, int | None] = {f"r{i}": rowid for i, rowid in enumerate(rowids)}
    marks = ",".join(f":{name}" for name in params)
    sql = f"SELECT q.rowid FROM quotes AS q WHERE q.rowid IN ({marks}) AND {VISIBLE}"
    async with db.execute(sql, params | {"guild": guild_id}) as cur:
        return {row[0] for row in await cur.fetchall()}


async def by_quote_id(db: Reader, quote_id: str, guild_id: int | None) -> Passage | None:
    sql = f"{SELECT} WHERE q.id = :id AND {VISIBLE}"
    async with db.execute(sql, {"id": quote_id, "guild": guild_id}) as cur:
        row = await cur.fetchone()
    return _passage(row) if row else None


async def neighbours(
    db: Reader, passage: Passage, guild_id: int | None, *, around: int = 2
) -> tuple[list[Passage], list[Passage]]:
    """The visible passages just before and just after ``passage`` in the same source."""
    sql = f"{SELECT} WHERE q.source_id = :source AND {VISIBLE}"
    async with db.execute(sql, {"source": passage.source_id, "guild": guild_id}) as cur:
        same = sorted((_passage(r) for r in await cur.fetchall()), key=lambda p: p.order_key)
    index = next((i for i, p in enumerate(same) if p.rowid == passage.rowid), None)
    if index is None:
        return [], []
    return same[max(0, index - around) : index], same[index + 1 : index + 1 + around]
