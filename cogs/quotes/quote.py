"""The quote row, modelled once (no discord, no SQL).

A :class:`StoredQuote` is a ``quotes`` row joined with its source: everything a reply, a
citation, a review or an /ask passage needs. The store returns it and /ask's retrieval
calls it a passage (:data:`cogs.quotes.ask.passages.Passage` is this class). What a
guild may see of the store is one SQL rule, :data:`cogs.quotes.quote_store.VISIBLE`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cogs.quotes import citation as citations

_PARAGRAPH = re.compile(r"¶\s*(\d+)")


def split_tags(value: str) -> tuple[str, ...]:
    return tuple(t for t in (value or "").split(",") if t)


def join_tags(tags: Iterable[str]) -> str:
    return ",".join(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))


@dataclass(frozen=True, slots=True)
class StoredQuote:
    """A quote row joined with its source (``rowid`` is the full-text indexes' key)."""

    rowid: int
    id: str
    text: str
    speaker: str
    source_id: str
    locator: str
    kind: str
    tags: tuple[str, ...]
    note: str
    status: str
    origin: str
    guild_id: int | None
    submitted_by: int | None
    author_id: int | None
    message_link: str | None
    edited_by: int | None
    reviewed_by: int | None
    created_at: str
    source_kind: str
    source_title: str
    source_year: int | None = None
    source_director: str | None = None
    source_publication: str | None = None
    source_author: str | None = None
    source_url: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> StoredQuote:
        """From a row by column name (a ``bot.db.Record`` or a mapping)."""
        data = dict(row)
        data["tags"] = split_tags(data["tags"])
        return cls(**{k: data[k] for k in cls.__slots__ if k in data})

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
