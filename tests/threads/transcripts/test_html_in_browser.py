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
