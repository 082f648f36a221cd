"""Discord's limits and small formatting helpers shared by every feature."""

from __future__ import annotations

import re

MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBED_FIELDS_MAX = 25
AUTOCOMPLETE_MAX = 25
CHOICE_NAME_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
MODAL_TITLE_LIMIT = 45

ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


_MD_SPECIAL = re.compile(r"([\\*_~`|>\[\]()#-])")


def escape_markdown(text: str) -> str:
    """Escape Markdown so quoted text shows as written."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def chunk_lines(lines: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages no longer than ``limit``, cutting an over-long line."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = truncate(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


_EMPHASIS = re.compile(r"\*\*|~~|\|\||`+|\*|(?<!\w)__|__(?!\w)|(?<!\w)_|_(?!\w)")
_ESCAPED = re.compile(r"\\([\\*_~`|>\[\]()#-])")


def plain(text: str) -> str:
    """Markdown emphasis removed, for where Discord shows it raw: thread and channel names,
    autocomplete choices, scheduled-event names, and lines that may be cut mid-emphasis.

    "misreads *Her*" → "misreads Her"; escaped characters (``\\*``) keep their character;
    an underscore inside a word (``snake_case``) stays.
    """
    kept: list[str] = []
    for i, part in enumerate(_ESCAPED.split(text)):
        kept.append(part if i % 2 else _EMPHASIS.sub("", part))
    return " ".join("".join(kept).split())
