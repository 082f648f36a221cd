"""/quote card: the quote and its citation as a PNG, light and dark.

The images also go to test-output/ (and to HERBOT_SCREENSHOTS, e.g. docs/screenshots, as
``quote-card-image-{light,dark}.png``: ``quote-card-*`` are the Components V2 card's shots).
"""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

import pytest
from PIL import Image

from cogs.quotes import card_render
from cogs.quotes.card_render import CardContent
from tests.quotes.helpers import approved, pending

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def _targets(output_dir: Path) -> list[Path]:
    extra = os.environ.get("HERBOT_SCREENSHOTS")
    return [output_dir, *([Path(extra)] if extra else [])]


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_card_is_a_png_with_the_quote_for_light_and_dark(world, output_dir, theme):
    result = await world.alice.slash(world.channel, "quote card", id="film-001", theme=theme)
    assert not result.ephemeral
    assert result.response.content.startswith("`film-001` — Theodore — *Her*")  # citation too
    (attachment,) = result.response.attachments
    assert attachment.filename == f"quote-film-001-{theme}.png"
    png = await attachment.read()
    width, height = _size(png)
    assert width == card_render.WIDTH and card_render.MIN_HEIGHT <= height <= 800
    image = Image.open(io.BytesIO(png))
    image.verify()
    background = Image.open(io.BytesIO(png)).convert("RGB").getpixel((width - 5, height // 2))
    assert background == card_render.PALETTES[theme].background
    for target in _targets(output_dir):
        target.mkdir(parents=True, exist_ok=True)
        (target / f"quote-card-image-{theme}.png").write_bytes(png)


async def test_hidden_and_unknown_quotes_get_no_card(world):
    waiting = await pending(world, "Not reviewed yet.")
    for quote_id in (waiting, "no-such-quote"):
        refused = await world.alice.slash(world.channel, "quote card", id=quote_id)
        assert refused.ephemeral and "There is no quote" in refused.response.content
        assert not refused.response.attachments
    await world.mod.slash(world.channel, "quote remove", id="film-002")
    removed = await world.alice.slash(world.channel, "quote card", id="film-002")
    assert "There is no quote" in removed.response.content
    assert len(world.user_errors()) == 3


async def test_a_servers_own_approved_quote_has_a_card_and_autocomplete_finds_it(world):
    qid = await approved(world, "We are only here briefly.", speaker="bob", source_id="discord")
    choices = await world.alice.autocomplete(world.channel, "quote card", "id", "briefly")
    assert [c["value"] for c in choices] == [qid]
    result = await world.alice.slash(world.channel, "quote card", id=qid, theme="dark")
    assert _size(await result.response.attachments[0].read())[0] == card_render.WIDTH


def test_long_quotes_are_set_smaller_then_cut_and_the_citation_stays():
    words = " ".join(f"word{i} and more words" for i in range(600))
    plan = card_render.layout(CardContent(words, "Someone, somewhere", "sub-1"))
    assert plan.size == card_render.TEXT_SIZES[-1]
    assert plan.lines[-1].endswith(card_render.ELLIPSIS)
    assert plan.citation == ["— Someone, somewhere"]
    assert plan.height <= card_render.MAX_HEIGHT
    png = card_render.render_card(CardContent(words, "Someone", "sub-1"), "dark")
    assert _size(png) == (card_render.WIDTH, plan.height)

    short = card_render.layout(CardContent("Hi.", "S", "x"))
    assert short.size == card_render.TEXT_SIZES[0] and short.height == card_render.MIN_HEIGHT


def test_wrap_breaks_a_word_wider_than_the_line_and_keeps_paragraphs():
    font = card_render.serif(40)
    lines = card_render.wrap("a" * 400 + "\n\n\nnext paragraph", font, 500)
    assert all(font.getlength(line) <= 500 for line in lines)
    assert "".join(lines[:-2]) == "a" * 400 and lines[-2:] == ["", "next paragraph"]
