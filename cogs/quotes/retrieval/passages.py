"""Passages /ask can return: approved quotes, curated (shared) or the asking guild's own."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

# What a guild may see: the curated store (guild_id NULL) and its own approved quotes.
VISIBLE = "q.status = 'approved' AND (q.guild_id IS NULL OR q.guild_id IS :guild)"

_COLUMNS = """
    q.rowid AS rowid, q.id AS id, q.text AS text, q.speaker AS speaker, q.source_id AS source_id,
    q.locator AS locator, q.kind AS kind, q.guild_id AS guild_id, q.message_link AS message_link,
    s.kind AS source_kind, s.title AS title, s.year AS year, s.publication AS publication,
    s.author AS author, s.url AS url
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
    title: str
    year: int | None
    publication: str | None
    author: str | None
    url: str | None

    @property
    def source_label(self) -> str:
        """ "Her (2013)", "Title (Publication)" or "Discord discussion"."""
        extra = self.year if self.source_kind == "film" else self.publication
        return f"{self.title} ({extra})" if extra else self.title

    @property
    def citation(self) -> str:
        """Who said it, where, and where in it: enough to find the passage again."""
        where = self.locator or self.message_link or ""
        cited = f"{self.speaker}, {self.source_label}"
        return f"{cited}, {where}" if where else cited

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
            "source_title": self.title,
            "locator": self.locator,
            "kind": self.kind,
            "citation": self.citation,
            "url": self.url or self.message_link,
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
