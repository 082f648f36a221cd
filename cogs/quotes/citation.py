"""Citations: who said it, where, and where exactly (no discord import).

- film line:   ``Samantha — Her (dir. Spike Jonze, 2013), the beach picnic``
- article:     ``Karen Hao — “Her — What OpenAI CEO …” (Film Stories), ¶9``
- saved message: ``alice — Discord discussion, #general, 2026-11-21 · <jump link>``
"""

from __future__ import annotations

from typing import Protocol


class Citable(Protocol):
    """What a citation reads; read-only, so a frozen dataclass (StoredQuote) satisfies it."""

    @property
    def speaker(self) -> str: ...
    @property
    def locator(self) -> str: ...
    @property
    def source_id(self) -> str: ...
    @property
    def source_kind(self) -> str: ...
    @property
    def source_title(self) -> str: ...
    @property
    def source_year(self) -> int | None: ...
    @property
    def source_director(self) -> str | None: ...
    @property
    def source_publication(self) -> str | None: ...
    @property
    def source_author(self) -> str | None: ...
    @property
    def source_url(self) -> str | None: ...
    @property
    def message_link(self) -> str | None: ...


def source_label(q: Citable) -> str:
    """The source with its publication details, e.g. ``Her (dir. Spike Jonze, 2013)``."""
    if q.source_kind == "discord":
        return q.source_title
    details = []
    if q.source_kind == "film":
        title = f"*{q.source_title}*"
        if q.source_director:
            details.append(f"dir. {q.source_director}")
    else:
        title = f"“{q.source_title}”"
        if q.source_author:
            details.append(q.source_author)
        if q.source_publication:
            details.append(q.source_publication)
    if q.source_year:
        details.append(str(q.source_year))
    return f"{title} ({', '.join(details)})" if details else title


def citation(q: Citable, *, links: bool = True) -> str:
    """``speaker — source (details), locator`` plus the message link for saved messages."""
    text = f"{q.speaker} — {source_label(q)}"
    if q.locator:
        text += f", {q.locator}"
    if links and q.message_link:
        text += f" · {q.message_link}"
    return text


def plain(text: str) -> str:
    """A citation without Markdown emphasis (for embed footers and the CLI)."""
    return text.replace("*", "")
