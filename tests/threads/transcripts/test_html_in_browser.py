"""The HTML transcript in a real headless browser (Debian's chromium): every message renders.

Skipped with a reason when chromium is absent, except under CI (env var CI), where it fails.
The screenshots are kept in test-output/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cogs.threads import records
from cogs.threads.recording import store
from cogs.threads.recording.recorder import Recorder
from cogs.threads.records import Attachment, MessageRecord
from cogs.threads.transcripts.exporters import export_transcript
from tests.browser import CHROMIUM_FLAGS, chromium_or_skip
from tests.threads.conftest import write

pytestmark = pytest.mark.browser


async def recorded_transcript(db, tmp_path: Path, settings) -> tuple[Path, list[str]]:
    start = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    await write(
        db,
        store.start_recording,
        channel_id=10,
        guild_id=1,
        name="Is Samantha a person?",
        parent_id=2,
        reason="manual",
        started_by=99,
        now=start,
    )
    recorder = Recorder(db)
    texts = [
        "Samantha grows faster than Theodore can follow.",
        "She is still software <script>alert('x')</script> & proud of it",
        "The ending is about letting go, not about machines.",
        "Amy's documentary about her mother is the quiet heart of the film.",
        "I'll edit this one.",
        "This one gets deleted.",
    ]
    for i, text in enumerate(texts):
        recorder.add_message(
            MessageRecord(
                message_id=records.snowflake_at(start + timedelta(minutes=i)) + i,
                channel_id=10,
                guild_id=1,
                author_id=100 + i % 2,
                author_name=["alice", "bob"][i % 2],
                created_at=start + timedelta(minutes=i),
                content=text,
                reply_to=records.snowflake_at(start) if i == 1 else None,
                attachments=(Attachment("still.png", 20480, "image/png"),) if i == 3 else (),
            )
        )
    ids = [records.snowflake_at(start + timedelta(minutes=i)) + i for i in range(len(texts))]
    recorder.add_edit(ids[4], "I edited this one.", start + timedelta(minutes=10))
    recorder.add_delete(ids[5], start + timedelta(minutes=11))
    await recorder.flush()
    paths = export_transcript(settings.database, 10, "html", tmp_path, now=start)
    return paths[0], [str(i) for i in ids]


async def test_html_transcript_renders_every_message_in_chromium(
    db, settings, tmp_path, output_dir
):
    executable = chromium_or_skip()
    from playwright.async_api import async_playwright

    page_path, ids = await recorded_transcript(db, tmp_path, settings)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page(viewport={"width": 900, "height": 1200})
            await page.goto(page_path.as_uri())
            rendered = await page.eval_on_selector_all(
                "article.msg", "els => els.map(e => [e.dataset.messageId, e.innerText])"
            )
            assert [r[0] for r in rendered] == ids  # each message once, in order
            for i in ids:
                assert await page.is_visible(f"#m{i}")
            text = "\n".join(r[1] for r in rendered)
            assert "<script>alert('x')</script> & proud" in text  # shown as text, not run
            assert "I edited this one." in text and "(edited)" in text
            assert "This one gets deleted." not in text and "Message deleted" in text
            assert await page.locator("script").count() == 0
            light = await page.evaluate("getComputedStyle(document.body).backgroundColor")
            await page.screenshot(path=str(output_dir / "threads-transcript-light.png"))

            await page.emulate_media(color_scheme="dark")
            dark = await page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert light != dark
            await page.screenshot(path=str(output_dir / "threads-transcript-dark.png"))
        finally:
            await browser.close()
    assert (output_dir / "threads-transcript-light.png").stat().st_size > 1000


async def rich_transcript(db, tmp_path: Path, settings) -> tuple[Path, dict[str, int]]:
    """A transcript with every kind of content a message can hold (herbot.transcript/2)."""
    start = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    await write(
        db,
        store.start_recording,
        channel_id=11,
        guild_id=1,
        name="Everything a message holds",
        parent_id=2,
        reason="manual",
        started_by=99,
        now=start,
    )
    recorder = Recorder(db)
    ids: dict[str, int] = {}

    def add(name: str, i: int, author: int, content: str = "", **kw: object) -> None:
        at = start + timedelta(minutes=i)
        ids[name] = records.snowflake_at(at) + i
        recorder.add_message(
            MessageRecord(
                message_id=ids[name], channel_id=11, guild_id=1, author_id=author,
                author_name=["Alice Liddell", "bob", "Carol"][author % 3], created_at=at,
                content=content, **kw,  # type: ignore[arg-type]
            )
        )  # fmt: skip

    add("first", 0, 0, "Samantha is a person in every way that matters")
    add(
        "reply", 1, 1, "She is software, though",
        reply_to=ids["first"], reply_author_id=100, reply_author_name="Alice Liddell",
        reply_content="Samantha is a person in every way that matters",
    )  # fmt: skip
    add(
        "forward", 2, 2, "",
        forwarded={
            "origin": {"guild_id": "1", "channel_id": "77", "message_id": "5"},
            "content": "Forwarded: the letters scene", "created_at": None,
            "attachments": [], "embeds": [], "stickers": [], "components": None,
        },
    )  # fmt: skip
    add(
        "poll", 3, 0, "",
        poll={
            "question": "Is Samantha a person?", "multiple": False, "finalized": True,
            "expires_at": None, "total_votes": 3, "winner_id": 1,
            "answers": [
                {"id": 1, "text": "Yes", "emoji": None, "votes": 2},
                {"id": 2, "text": "No", "emoji": "🤖", "votes": 1},
            ],
        },
    )  # fmt: skip
    add(
        "result", 4, 0, "", kind="poll_result",
        poll={"result": {"poll_message_id": None, "question": "Is Samantha a person?",
                         "winner": "Yes", "winner_emoji": None, "winner_votes": 2,
                         "total_votes": 3}},
    )  # fmt: skip
    add("card", 5, 1, "", components="### Quote #7\n———\n“The past is just a story.”")
    add(
        "embed", 6, 2, "https://example.org/her",
        embeds=({
            "title": "Her (2013)", "url": "https://example.org/her",
            "description": "A film by Spike Jonze", "color": "#ed4245",
            "fields": [{"name": "Runtime", "value": "126 min", "inline": True}],
            "footer": {"text": "example.org"},
            "thumbnail": "https://example.org/poster.png",
        },),
        stickers=({"id": "749054660769218631", "name": "Wave"},),
    )  # fmt: skip
    add(
        "image", 7, 0, "the last shot",
        attachments=(
            Attachment("rooftop.png", 2048, "image/png", "https://cdn.example.org/rooftop.png"),
            Attachment("notes.pdf", 4096, "application/pdf", "https://cdn.example.org/n.pdf"),
        ),
    )  # fmt: skip
    await recorder.flush()
    recorder.add_reaction(ids["image"], "👍", 100, start)
    recorder.add_reaction(ids["image"], "👍", 101, start)
    recorder.add_reaction(ids["image"], "<:samantha:123456789012345678>", 102, start)
    await recorder.flush()
    paths = export_transcript(settings.database, 11, "html", tmp_path, now=start)
    return paths[0], ids


async def test_rich_html_transcript_looks_like_the_conversation_in_chromium(
    db, settings, tmp_path, output_dir
):
    executable = chromium_or_skip()
    from playwright.async_api import async_playwright

    page_path, ids = await rich_transcript(db, tmp_path, settings)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page(viewport={"width": 900, "height": 1600})
            await page.goto(page_path.as_uri())
            initials = await page.eval_on_selector_all(
                "article.msg .avatar", "els => els.map(e => e.innerText)"
            )
            assert initials[:3] == ["AL", "B", "C"]
            assert await page.inner_text(f"#m{ids['reply']} .reply") == (
                "↪ Alice Liddell Samantha is a person in every way that matters"
            )
            assert "Forwarded: the letters scene" in await page.inner_text(
                f"#m{ids['forward']} .forwarded"
            )
            answers = await page.eval_on_selector_all(
                f"#m{ids['poll']} .poll .answer", "els => els.map(e => e.innerText)"
            )
            assert answers == ["Yes · 2 votes (67%)", "🤖 No · 1 vote (33%)"]
            assert await page.locator(f"#m{ids['poll']} .answer.winner").count() == 1
            assert "winner: Yes" in await page.inner_text(f"#m{ids['result']}")
            assert "Quote #7" in await page.inner_text(f"#m{ids['card']} .cv2")
            embed = await page.inner_text(f"#m{ids['embed']} .embed")
            assert "Her (2013)" in embed and "Runtime" in embed and "126 min" in embed
            assert "Wave" in await page.inner_text(f"#m{ids['embed']} .stickers")
            image = page.locator(f"#m{ids['image']} .gallery img")
            assert await image.get_attribute("src") == "https://cdn.example.org/rooftop.png"
            assert "notes.pdf" in await page.inner_text(f"#m{ids['image']} .attachments")
            reactions = await page.eval_on_selector_all(
                f"#m{ids['image']} .reactions li", "els => els.map(e => e.innerText.trim())"
            )
            assert sorted(reactions) == ["1", "👍 2"]  # the custom emoji is an image
            assert await page.locator(f"#m{ids['image']} .reactions img").count() == 1
            assert await page.locator("script").count() == 0
            light = await page.evaluate("getComputedStyle(document.body).backgroundColor")
            await page.screenshot(path=str(output_dir / "threads-rich-light.png"), full_page=True)
            await page.emulate_media(color_scheme="dark")
            dark = await page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert light != dark
            await page.screenshot(path=str(output_dir / "threads-rich-dark.png"), full_page=True)
        finally:
            await browser.close()
