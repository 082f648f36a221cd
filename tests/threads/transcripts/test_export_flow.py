"""/transcript export through the real bot: every format, ranges, parts and progress."""

from __future__ import annotations

import csv
import io
import json

import discord

from tests.threads.conftest import cog, export


async def test_export_each_format_through_slash(world, recorded):
    first = await world.alice.send(recorded, "Theodore writes other people's letters")
    second = await world.bob.send(recorded, "<b>and</b> he is good at it", reply_to=first)
    await world.alice.edit(first, "Theodore writes letters for other people")
    gone = await world.bob.send(recorded, "delete me")
    await world.bob.delete(gone)

    files = await export(world, world.alice, recorded, "json")
    assert len(files) == 1 and files[0].filename.endswith(".json")
    doc = json.loads(await files[0].read())
    assert doc["schema"] == "herbot.transcript/2"
    messages = [i for i in doc["items"] if i["type"] == "message"]
    assert [m["id"] for m in messages] == [str(first.id), str(second.id), str(gone.id)]
    assert messages[0]["edited"]
    assert [v["content"] for v in messages[0]["versions"]] == [
        "Theodore writes other people's letters",
        "Theodore writes letters for other people",
    ]
    assert messages[1]["reply_to"] == str(first.id)
    assert messages[1]["author"] == {"id": str(world.bob.id), "name": "bob"}
    assert messages[2]["deleted_at"] and messages[2]["content"] is None
    assert any(i["type"] == "event" and i["kind"] == "recording_started" for i in doc["items"])

    files = await export(world, world.alice, recorded, "csv")
    table = list(csv.DictReader(io.StringIO((await files[0].read()).decode())))
    assert [(r["kind"], r["message_id"], r["content"]) for r in table if r["message_id"]] == [
        ("message", str(first.id), "Theodore writes other people's letters"),
        ("edit", str(first.id), "Theodore writes letters for other people"),
        ("message", str(second.id), "<b>and</b> he is good at it"),
        ("deleted", str(gone.id), ""),
    ]

    files = await export(world, world.alice, recorded, "html")
    page = (await files[0].read()).decode()
    assert page.startswith("<!DOCTYPE html>") and "prefers-color-scheme: dark" in page
    assert "&lt;b&gt;and&lt;/b&gt;" in page and "<b>and</b>" not in page
    ids = [first.id, second.id, gone.id]
    assert all(page.count(f'data-message-id="{i}"') == 1 for i in ids)
    positions = [page.index(f'data-message-id="{i}"') for i in ids]
    assert positions == sorted(positions)
    assert page.count('class="edited"') == 1
    assert "delete me" not in page

    files = await export(world, world.alice, recorded, "md")
    md = (await files[0].read()).decode()
    assert "Theodore writes letters for other people" in md and "*(edited)*" in md
    assert "message deleted" in md and "delete me" not in md


async def test_export_range_and_bad_input(world, recorded):
    await world.alice.send(recorded, "early")
    await world.env.advance_time(3600)
    cutoff = discord.utils.utcnow().isoformat()
    await world.alice.send(recorded, "late")
    files = await export(world, world.alice, recorded, "json", **{"from": cutoff})
    doc = json.loads(await files[0].read())
    assert [m["content"] for m in doc["items"] if m["type"] == "message"] == ["late"]

    result = await world.alice.slash(
        recorded, "transcript export", thread=str(recorded.id), format="md", to="yesterday"
    )
    assert "must be a date" in result.response.content
    result = await world.alice.slash(
        recorded, "transcript export", thread="no such thread", format="md"
    )
    assert "No recorded thread" in result.response.content
    assert len(world.user_errors()) == 2


async def test_big_export_is_split_into_parts_that_each_parse(world, recorded):
    limit = 64 * 1024
    cog(world).config = type(cog(world).config)(max_upload_bytes=limit)
    for i in range(120):
        await world.alice.send(recorded, f"message {i} " + "words " * 120)
    result = await world.alice.slash(
        recorded, "transcript export", thread=str(recorded.id), format="json"
    )
    messages = [result.response, *result.followups]
    # Discord's upload limit is per request: no message carries more than one limit's worth.
    assert all(sum(f.size for f in m.attachments) <= limit for m in messages)
    files = [f for m in messages for f in m.attachments]
    assert len(files) >= 2
    seen = []
    for f in files:
        assert f.size <= limit
        doc = json.loads(await f.read())
        seen += [m["content"].split()[1] for m in doc["items"] if m["type"] == "message"]
    assert seen == [str(i) for i in range(120)]


async def test_long_exports_defer_and_show_progress(world, recorded, monkeypatch):
    from cogs.threads.records import MessageRecord
    from cogs.threads.transcripts import cog as cog_module

    monkeypatch.setattr(cog_module, "PROGRESS_MIN_MESSAGES", 1000)
    start = discord.utils.utcnow()
    recorder = cog(world).recorder
    for i in range(3000):  # a long thread, written straight to the recorder
        recorder.add_message(
            MessageRecord(
                message_id=discord.utils.time_snowflake(start) + i,
                channel_id=recorded.id,
                guild_id=world.guild.id,
                author_id=world.alice.id,
                author_name="alice",
                created_at=start,
                content=f"long thread message {i}",
            )
        )
    files = await export(world, world.alice, recorded, "csv")
    table = list(csv.DictReader(io.StringIO((await files[0].read()).decode())))
    assert sum(r["kind"] == "message" for r in table) == 3000
    edits = [
        r.json.get("content", "")
        for r in world.env.http_requests
        if r.method == "PATCH" and isinstance(r.json, dict) and r.json.get("content")
    ]
    progress = [e for e in edits if e.startswith("Exporting…")]
    assert progress and "of 3,000 messages" in progress[0]
    assert edits[-1].startswith("Transcript of")
