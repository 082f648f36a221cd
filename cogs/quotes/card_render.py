"""Quote cards: a quote and its citation drawn as a PNG to share (``/quote card``).

Pillow draws it with the DejaVu fonts matplotlib ships in its package data, so nothing is
downloaded and nothing depends on the machine's fonts. DejaVu covers Latin, Greek and
Cyrillic and many symbols; characters it lacks (CJK, emoji) show as boxes.

Layout: 1200 px wide (what link previews and phones show well), at least 630 high (the
usual share-image ratio), growing with the text up to :data:`MAX_HEIGHT`. A long quote is
set smaller, step by step, and what still does not fit is cut at a word with "…"; the
citation always shows (up to three lines). Rendering is CPU work of tens to a few hundred
milliseconds (``bench/quote_card.py``): the cog runs it in a thread, off the event loop.

Pure: no discord, no database.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

Theme = Literal["light", "dark"]
THEMES: tuple[Theme, ...] = ("light", "dark")

WIDTH = 1200
MIN_HEIGHT = 630
MAX_HEIGHT = 1500
PAD = 84
TEXT_SIZES = (46, 40, 35, 31, 28)  # the quote's font sizes, tried largest first
MAX_TEXT_HEIGHT = 980  # the quote's lines may take at most this much height
CITATION_SIZE = 27
CITATION_LINES = 3
FOOTER_SIZE = 21
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Palette:
    background: tuple[int, int, int]
    text: tuple[int, int, int]
    muted: tuple[int, int, int]
    rule: tuple[int, int, int]


PALETTES: dict[Theme, Palette] = {
    "light": Palette((250, 247, 242), (33, 29, 25), (104, 98, 92), (226, 219, 209)),
    "dark": Palette((30, 31, 34), (242, 243, 245), (163, 168, 177), (62, 64, 70)),
}
ACCENTS = {  # as the quote embeds colour them (cogs.quotes.ui.COLOURS)
    "film": (231, 76, 60),
    "article": (52, 152, 219),
    "discord": (88, 101, 242),
}
DEFAULT_ACCENT = (149, 165, 166)


@dataclass(frozen=True, slots=True)
class CardContent:
    """What a card shows: the words, the citation (plain text), the id, the source kind."""

    text: str
    citation: str
    quote_id: str
    source_kind: str = ""


def font_dir() -> str:
    import matplotlib  # only for the path of its bundled fonts

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


@cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(os.path.join(font_dir(), name), size)


def serif(size: int) -> ImageFont.FreeTypeFont:
    return _font("DejaVuSerif.ttf", size)


def sans(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return _font("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)


def wrap(
    text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int | None = None
) -> list[str]:
    """Lines of at most ``width`` pixels: at spaces, inside a word only when it is wider than
    a line; the text's own line breaks kept (runs of blank lines become one).

    With ``max_lines``, measuring stops after ``max_lines + 1`` lines (enough to know the text
    overflows): a 4,000-character quote is not measured to its end at every size tried.
    """
    lines: list[str] = []
    for paragraph in text.splitlines():
        if max_lines is not None and len(lines) > max_lines:
            break
        words = paragraph.split()
        if not words:
            if lines and lines[-1]:
                lines.append("")
            continue
        line = ""
        for word in words:
            if max_lines is not None and len(lines) > max_lines:
                break
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while font.getlength(word) > width:  # a word wider than the line: break it
                cut = _fits(word, font, width)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines if max_lines is None else lines[: max_lines + 1]


def _fits(word: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    """How many leading characters of ``word`` fit in ``width`` (at least one)."""
    low, high = 1, len(word)
    while low < high:
        mid = (low + high + 1) // 2
        if font.getlength(word[:mid]) <= width:
            low = mid
        else:
            high = mid - 1
    return low


def truncate_lines(
    lines: list[str], keep: int, font: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    """The first ``keep`` lines, the last ending in "…" (cut at a word when it can be)."""
    if len(lines) <= keep:
        return lines
    kept = lines[:keep]
    last = kept[-1]
    while last and font.getlength(last + ELLIPSIS) > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    kept[-1] = last.rstrip(" ,;:.") + ELLIPSIS
    return kept


def line_height(font: ImageFont.FreeTypeFont, spacing: float = 1.35) -> int:
    ascent, descent = font.getmetrics()
    return round((ascent + descent) * spacing)


@dataclass(frozen=True, slots=True)
class Layout:
    size: int
    lines: list[str]
    citation: list[str]
    height: int


def layout(content: CardContent) -> Layout:
    """The font size and lines that fit; pure measuring, nothing drawn."""
    inner = WIDTH - 2 * PAD
    words = content.text.strip() or ELLIPSIS
    for size in TEXT_SIZES:
        font = serif(size)
        keep = max(1, MAX_TEXT_HEIGHT // line_height(font))
        lines = wrap(words, font, inner, max_lines=keep)
        if len(lines) <= keep:
            break
    else:
        lines = truncate_lines(lines, keep, font, inner)
    cite_font = sans(CITATION_SIZE)
    citation = truncate_lines(
        wrap(f"— {content.citation}", cite_font, inner), CITATION_LINES, cite_font, inner
    )
    height = (
        PAD
        + 96  # the opening quotation mark
        + len(lines) * line_height(font)
        + 40
        + len(citation) * line_height(cite_font, 1.3)
        + 56
        + line_height(sans(FOOTER_SIZE), 1.0)
        + PAD
    )
    return Layout(size, lines, citation, max(MIN_HEIGHT, min(MAX_HEIGHT, height)))


def render_card(content: CardContent, theme: Theme = "light") -> bytes:
    """The card as PNG bytes."""
    palette = PALETTES[theme]
    accent = ACCENTS.get(content.source_kind, DEFAULT_ACCENT)
    plan = layout(content)
    image = Image.new("RGB", (WIDTH, plan.height), palette.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 14, plan.height), fill=accent)  # the source's colour, as embeds
    draw.text((PAD - 8, PAD - 40), "“", font=_font("DejaVuSerif-Bold.ttf", 150), fill=accent)
    y = PAD + 96
    font = serif(plan.size)
    step = line_height(font)
    for line in plan.lines:
        draw.text((PAD, y), line, font=font, fill=palette.text)
        y += step
    y += 40
    cite_font = sans(CITATION_SIZE)
    for line in plan.citation:
        draw.text((PAD, y), line, font=cite_font, fill=palette.muted)
        y += line_height(cite_font, 1.3)
    footer_font = sans(FOOTER_SIZE)
    footer_y = plan.height - PAD + 8 - line_height(footer_font, 1.0)
    draw.line((PAD, footer_y - 24, WIDTH - PAD, footer_y - 24), fill=palette.rule, width=2)
    draw.text((PAD, footer_y), content.quote_id, font=footer_font, fill=palette.muted)
    mark = "herbot"
    draw.text(
        (WIDTH - PAD - sans(FOOTER_SIZE, bold=True).getlength(mark), footer_y),
        mark,
        font=sans(FOOTER_SIZE, bold=True),
        fill=accent,
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
