"""Passages /ask can return: approved quotes, curated (shared) or the asking guild's own."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

from cogs.quotes import citation as citations

# What a guild may see: the curated store (guild_id NULL) and its own approved quotes.
VISIBLE = "q.status = 'approved' AND (q.guild_id IS NULL OR q.guild_id IS :guild)"

_COLUMNS = """
    q.rowid AS rowid, q.id AS id, q.text AS text, q.speaker AS speaker, q.source_id AS source_id,
    q.locator AS locator, q.kind AS kind, q.guild_id AS guild_id, q.message_link AS message_link,
    s.kind AS source_kind, s.title AS source_title, s.year AS source_year,
    s.director AS source_director, s.publication AS source_publication,
    s.author AS source_author, s.url AS source_url
"""
_FROM = "FROM quotes AS q JOIN quote_sources AS s ON s.id = q.source_id"
_PARAGRAPH = re.compile(r"¶\s*(\d+)")


@dataclass(frozen=True, slots=True)
class Passage:
    rowid: int
    id: str
    text: str
    speaker: str
    source_id: str
    locator: str
    kind: str
    guild_id: int | None
    message_link: str | None
    source_kind: str
    source_title: str
    source_year: int | None
    source_director: str | None
    source_publication: str | None
    source_author: str | None
    source_url: str | None

    @property
    def source_label(self) -> str:
        """E.g. "Her (dir. Spike Jonze, 2013)", without Markdown."""
        return citations.plain(citations.source_label(self))

    @property
    def citation(self) -> str:
        """Who said it, where, and where in it, as the quote store cites (Markdown)."""
        return citations.citation(self)

    @property
    def plain_citation(self) -> str:
        return citations.plain(citations.citation(self))

    @property
    def order_key(self) -> tuple[int, int]:
        """Position within its source: the article paragraph when known, else store order."""
        match = _PARAGRAPH.search(self.locator)
        return (int(match.group(1)) if match else 1 << 30, self.rowid)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "text": self.text,
            "speaker": self.speaker,
            "source": self.source_id,
            "source_title": self.source_title,
            "locator": self.locator,
            "kind": self.kind,
            "citation": self.plain_citation,
            "url": self.source_url or self.message_link,
        }


def _passage(row: aiosqlite.Row) -> Passage:
    return Passage(**{name: row[name] for name in Passage.__slots__})


async def fetch(db: aiosqlite.Connection, rowids: Iterable[int]) -> dict[int, Passage]:
    """Passages by rowid (any status: callers filtered visibility already)."""
    ids = list(dict.fromkeys(rowids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    async with db.execute(f"SELECT {_COLUMNS} {_FROM} WHERE q.rowid IN ({marks})", ids) as cur:
        return {row["rowid"]: _passage(row) for row in await cur.fetchall()}


async def visible(db: aiosqlite.Connection, rowids: list[int], guild_id: int | None) -> set[int]:
    """Which of ``rowids`` ``guild_id`` may see now (the vector matrix can lag behind)."""
    if not rowids:
        return set()
    params: dict[str, int | None] = {f"r{i}": rowid for i, rowid in enumerate(rowids)}
    marks = ",".join(f":{name}" for name in params)
    sql = f"SELECT q.rowid FROM quotes AS q WHERE q.rowid IN ({marks}) AND {VISIBLE}"
    async with db.execute(sql, params | {"guild": guild_id}) as cur:
        return {row[0] for row in await cur.fetchall()}


async def by_quote_id(
    db: aiosqlite.Connection, quote_id: str, guild_id: int | None
) -> Passage | None:
    sql = f"SELECT {_COLUMNS} {_FROM} WHERE q.id = :id AND {VISIBLE}"
    async with db.execute(sql, {"id": quote_id, "guild": guild_id}) as cur:
        row = await cur.fetchone()
    return _passage(row) if row else None


async def neighbours(
    db: aiosqlite.Connection, passage: Passage, guild_id: int | None, *, around: int = 2
) -> tuple[list[Passage], list[Passage]]:
    """The visible passages just before and just after ``passage`` in the same source."""
    sql = f"SELECT {_COLUMNS} {_FROM} WHERE q.source_id = :source AND {VISIBLE}"
    async with db.execute(sql, {"source": passage.source_id, "guild": guild_id}) as cur:
        same = sorted((_passage(r) for r in await cur.fetchall()), key=lambda p: p.order_key)
    index = next((i for i, p in enumerate(same) if p.rowid == passage.rowid), None)
    if index is None:
        return [], []
    return same[max(0, index - around) : index], same[index + 1 : index + 1 + around]
