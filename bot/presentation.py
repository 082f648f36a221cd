"""Discord's limits and small formatting helpers shared by every feature."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import overload

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


@overload
def percentages(counts: Sequence[int]) -> tuple[int, ...]: ...
@overload
def percentages(counts: Sequence[int], *, places: int) -> tuple[float, ...]: ...
def percentages(counts: Sequence[int], *, places: int = 0) -> tuple[float, ...]:
    """Each count's share of their sum, rounded so the shares add up to exactly 100.

    The one rounding rule for every share herbot shows (cards, embeds, charts, exports, the
    command line): largest remainder. Each share is cut down to ``places`` decimals, then the
    points still missing go to the largest remainders, earlier counts first on a tie, so a
    three-way tie reads 34 / 33 / 33 wherever it is shown. Whole numbers (ints) for
    ``places=0``; zeros when the counts are all zero.
    """
    total = sum(counts)
    if total == 0:
        return tuple(0 for _ in counts)
    scale = 10**places
    exact = [n * 100 * scale / total for n in counts]
    floors = [int(x) for x in exact]
    short = 100 * scale - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:short]:
        floors[i] += 1
    return tuple(floors) if places == 0 else tuple(f / scale for f in floors)


def percent_of(part: int, whole: int) -> int:
    """One whole percentage on its own (halves round up), for shares that need not add up to
    100: approval ballots, where one ballot approves several options."""
    return (200 * part + whole) // (2 * whole) if whole else 0


_FORMS = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\]|\[s\]")


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the words that agree with it: every count a member reads goes through here.

    ``plural(1, "quote")`` → "1 quote", ``plural(2, "quote")`` → "2 quotes",
    ``plural(2, "reply", "replies")`` → "2 replies". A longer label marks the words that
    change: ``[s]`` is added only for a count other than one, ``[a|b]`` reads ``a`` for one
    and ``b`` otherwise — ``plural(1, "quote[s] of your words")`` → "1 quote of your words",
    ``plural(3, "[entry|entries] in a queue")`` → "3 entries in a queue". Thousands are
    grouped: "1,200 messages".
    """
    if plural_form is not None:
        return f"{n:,} {singular if n == 1 else plural_form}"
    if not _FORMS.search(singular):
        return f"{n:,} {singular if n == 1 else singular + 's'}"

    def form(match: re.Match[str]) -> str:
        if match.group(0) == "[s]":
            return "" if n == 1 else "s"
        return match.group(1) if n == 1 else match.group(2)

    return f"{n:,} {_FORMS.sub(form, singular)}"
