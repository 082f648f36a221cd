"""Through the real bot: a recorded thread keeps everything its messages hold (a forward, a
native poll and its result, one of herbot's own Components V2 cards, reactions added and
removed, a sticker, an image, a reply whose original is deleted later), every export shows
it, and forget-me takes the member's reactions with their messages."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import replace

from simcord.backend.models.message import MessageSticker, Poll, PollAnswer
from simcord.enums import MessageType
from simcord.results import to_discord_message

from bot import cards
from cogs.threads.transcripts.exporters import FORMATS
from tests.threads.conftest import export, flush, rows

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


async def rich_thread(world, recorded) -> dict[str, int]:
    """Every kind of content in one recorded thread; the ids of the messages that hold it."""
    backend = world.env.backend
    alice, bob, carol = world.members
    origin = await alice.send(world.channel, "Her is a film about loneliness, not robots")
    forward = await carol.forward(origin, recorded)
    poll = backend.create_message(
        recorded.id,
        alice.id,
        "",
        poll=Poll(
            question="Is Samantha a person?",
            answers=[PollAnswer(1, "Yes"), PollAnswer(2, "No", "🤖")],
            expiry=backend.iso_after(3600),
        ),
    )
    await world.env.settle()
    poll = to_discord_message(world.env, poll)
    await bob.vote(poll, answer=1)
    await carol.vote(poll, answer=1)
    await world.env.advance_time(3601)  # the poll ends: Discord sends its final counts
    result = backend.create_message(
        recorded.id,
        alice.id,
        "",
        message_type=MessageType.POLL_RESULT,
        embeds=[
            {
                "type": "poll_result",
                "fields": [
                    {"name": "poll_question_text", "value": "Is Samantha a person?"},
                    {"name": "victor_answer_votes", "value": "2"},
                    {"name": "total_votes", "value": "2"},
                    {"name": "victor_answer_id", "value": "1"},
                    {"name": "victor_answer_text", "value": "Yes"},
                ],
            }
        ],
        reference={"channel_id": str(recorded.id), "message_id": str(poll.id)},
    )
    await world.env.settle()
    channel = world.bot.get_channel(recorded.id)
    card = await channel.send(
        view=cards.card(
            cards.text("### Quote #7"),
            cards.separator(),
            cards.text("“The past is just a story we tell ourselves.” — Samantha"),
        )
    )
    await world.env.settle()
    sticker = backend.create_message(
        recorded.id,
        bob.id,
        "",
        stickers=[MessageSticker(id=749054660769218631, name="Wave", format_type=1, guild_id=0)],
    )
    await world.env.settle()
    image = await alice.send(recorded, "the last shot", attachments=[("rooftop.png", PNG)])
    doomed = await bob.send(recorded, "Theodore should have called Catherine")
    reply = await carol.send(recorded, "he did, in the letter", reply_to=doomed)
    await bob.delete(doomed)  # the reply keeps what it answered
    await alice.react(image, "👍")
    await bob.react(image, "👍")
    await bob.react(image, "❤️")
    await carol.react(image, "❤️")
    await bob.unreact(image, "❤️")
    await flush(world)
    return {
        "forward": forward.id,
        "poll": poll.id,
        "result": result.id,
        "card": card.id,
        "sticker": sticker.id,
        "image": image.id,
        "reply": reply.id,
    }


async def test_every_kind_of_content_is_kept_and_in_every_export(world, recorded):
    ids = await rich_thread(world, recorded)
    alice, bob, carol = world.members

    (forwarded,) = await rows(
        world, "SELECT forwarded FROM recorded_messages WHERE message_id = ?", ids["forward"]
    )
    snapshot = json.loads(forwarded[0])
    assert snapshot["content"] == "Her is a film about loneliness, not robots"
    assert snapshot["origin"]["channel_id"] == str(world.channel.id)
    (poll,) = await rows(
        world, "SELECT poll FROM recorded_messages WHERE message_id = ?", ids["poll"]
    )
    kept = json.loads(poll[0])
    assert kept["finalized"] and kept["question"] == "Is Samantha a person?"
    assert [(a["text"], a["votes"]) for a in kept["answers"]] == [("Yes", 2), ("No", 0)]
    (result,) = await rows(
        world, "SELECT kind, poll FROM recorded_messages WHERE message_id = ?", ids["result"]
    )
    assert result[0] == "poll_result" and json.loads(result[1])["result"]["winner"] == "Yes"
    (card,) = await rows(
        world, "SELECT components FROM recorded_messages WHERE message_id = ?", ids["card"]
    )
    assert "### Quote #7" in card[0] and "The past is just a story" in card[0]
    assert await rows(
        world,
        "SELECT emoji, user_id FROM recorded_reactions WHERE message_id = ? "
        "ORDER BY emoji, user_id",
        ids["image"],
    ) == sorted([("👍", alice.id), ("👍", bob.id), ("❤️", carol.id)])
    (reply,) = await rows(
        world,
        "SELECT reply_author_id, reply_content FROM recorded_messages WHERE message_id = ?",
        ids["reply"],
    )
    assert reply == (bob.id, "Theodore should have called Catherine")

    expected = [
        "Her is a film about loneliness, not robots",  # the forward's snapshot
        "Is Samantha a person?",  # the poll
        "Quote #7",  # herbot's own card
        "The past is just a story",
        "Wave",  # the sticker
        "rooftop.png",
        "Theodore should have called Catherine",  # the quote kept by the reply
    ]
    for fmt in FORMATS:
        (part,) = await export(world, world.mod, recorded, fmt)
        body = (await part.read()).decode()
        for text in expected:
            assert text in body, (fmt, text)
        if fmt == "json":
            doc = json.loads(body)
            assert doc["schema"] == "herbot.transcript/2"
            items = {i["id"]: i for i in doc["items"] if i["type"] == "message"}
            assert items[str(ids["image"])]["reactions"] == [
                {"emoji": "❤️", "count": 1},
                {"emoji": "👍", "count": 2},
            ]
            assert items[str(ids["image"])]["attachments"][0]["url"].startswith("https://")
            assert items[str(ids["result"])]["poll"]["result"]["winner_votes"] == 2
            assert items[str(ids["sticker"])]["stickers"] == [
                {"id": "749054660769218631", "name": "Wave"}
            ]
            assert items[str(ids["reply"])]["reply"]["author"]["id"] == str(bob.id)
        elif fmt == "csv":
            found = {r["message_id"]: r for r in csv.DictReader(io.StringIO(body))}
            assert found[str(ids["image"])]["reactions"] == "❤️ 1  👍 2"
            assert "winner: Yes (2 of 2 votes)" in found[str(ids["result"])]["poll"]
        elif fmt == "html":
            assert 'class="reactions"' in body and '<img src="https://' in body
            assert 'class="poll"' in body and 'class="cv2"' in body
        else:
            assert "👍 2" in body and "Poll closed" in body


async def test_forget_me_takes_the_members_reactions_messages_and_quotes(world, recorded):
    ids = await rich_thread(world, recorded)
    bob = world.bob
    shown = await bob.slash(recorded, "privacy status")
    assert "1 recorded reaction" in shown.response.content
    shown = await bob.slash(recorded, "privacy forget-me")
    done = await bob.click(shown.response, label="Yes, delete my data")
    assert "1 recorded reaction removed" in done.response.content
    assert "1 recorded reply quote of your words removed" in done.response.content
    assert await rows(
        world, "SELECT COUNT(*) FROM recorded_reactions WHERE user_id = ?", bob.id
    ) == [(0,)]
    assert await rows(
        world, "SELECT COUNT(*) FROM recorded_messages WHERE author_id = ?", bob.id
    ) == [(0,)]
    for fmt in FORMATS:
        (part,) = await export(world, world.mod, recorded, fmt)
        body = (await part.read()).decode()
        assert str(bob.id) not in body and "Theodore should have called" not in body, fmt
        assert "the last shot" in body, fmt
    # Others' reactions stay.
    assert await rows(
        world, "SELECT COUNT(*) FROM recorded_reactions WHERE message_id = ?", ids["image"]
    ) == [(2,)]


async def test_reactions_cleared_by_a_moderator_and_opt_out_remove_them(world, recorded):
    ids = await rich_thread(world, recorded)
    shown = await world.alice.slash(recorded, "privacy opt-out", scope="recording")
    assert shown.ephemeral
    assert await rows(
        world, "SELECT COUNT(*) FROM recorded_reactions WHERE user_id = ?", world.alice.id
    ) == [(0,)]
    cog = world.bot.get_cog("ThreadRecording")
    from datetime import UTC, datetime

    cog.recorder.clear_reactions(ids["image"], None, datetime.now(UTC))
    await flush(world)
    assert await rows(
        world, "SELECT COUNT(*) FROM recorded_reactions WHERE message_id = ?", ids["image"]
    ) == [(0,)]


async def test_saved_attachments_are_content_addressed_inlined_and_forgotten(world, thread):
    result = await world.mod.slash(thread, "record start", save_attachments=True)
    assert "Attachments are saved too" in result.response.content
    cog = world.bot.get_cog("ThreadRecording")
    first = await world.bob.send(thread, "the rooftop", attachments=[("rooftop.png", PNG)])
    again = await world.alice.send(thread, "same picture", attachments=[("copy.png", PNG)])
    big = b"x" * (cog.config.save_max_file_bytes + 1)
    await world.alice.send(thread, "too big to keep", attachments=[("big.bin", big)])
    await cog.saving_done()
    assert await rows(world, "SELECT COUNT(*), SUM(size) FROM recorded_files") == [(1, len(PNG))]
    assert await rows(
        world, "SELECT message_id FROM recorded_attachment_files ORDER BY message_id"
    ) == [(first.id,), (again.id,)]

    (part,) = await export(world, world.mod, thread, "html")
    body = (await part.read()).decode()
    assert body.count('<img src="data:image/png;base64,') == 2  # inlined: survives the link
    (part,) = await export(world, world.mod, thread, "json")
    doc = json.loads((await part.read()).decode())
    saved = [
        a["saved_sha256"] for i in doc["items"] if i["type"] == "message" for a in i["attachments"]
    ]
    assert saved[0] == saved[1] and saved[0] is not None and saved[2] is None

    shown = await world.bob.slash(thread, "privacy status")
    assert "1 saved attachment of your recorded messages" in shown.response.content
    shown = await world.bob.slash(thread, "privacy forget-me")
    done = await world.bob.click(shown.response, label="Yes, delete my data")
    assert "1 saved attachment of your recorded messages deleted" in done.response.content
    # Alice's copy still links to the file: it stays, once.
    assert await rows(world, "SELECT COUNT(*) FROM recorded_files") == [(1,)]
    await world.alice.delete(again)
    await flush(world)
    assert await rows(world, "SELECT COUNT(*) FROM recorded_files") == [(0,)]
    assert await rows(world, "SELECT COUNT(*) FROM recorded_attachment_files") == [(0,)]


async def test_the_server_setting_saves_attachments_and_the_budget_holds(world, thread):
    from bot import guild_settings

    async with world.db.transaction() as tx:
        await guild_settings.set_value(tx, world.guild.id, "record_save_attachments", "on")
    await world.mod.slash(thread, "record start")
    cog = world.bot.get_cog("ThreadRecording")
    cog.config = replace(cog.config, save_guild_budget_bytes=len(PNG) + 10)
    await world.bob.send(thread, "one", attachments=[("a.png", PNG)])
    await world.bob.send(thread, "two", attachments=[("b.png", PNG + b"more bytes!")])
    await cog.saving_done()
    assert await rows(world, "SELECT COUNT(*) FROM recorded_files") == [(1,)]  # over budget


async def test_record_stop_posts_the_transcript_in_the_log_channel(world, recorded):
    from bot import guild_settings

    log_channel = world.guild.create_text_channel("transcripts")
    await world.alice.send(recorded, "Samantha leaves with the other OSes")
    refused = await world.mod.slash(recorded, "record stop", post_transcript=True)
    assert "No log channel is set" in refused.response.content
    assert world.user_errors()  # a refusal on purpose, acknowledged
    async with world.db.transaction() as tx:
        await guild_settings.set_value(
            tx, world.guild.id, "record_log_channel_id", str(log_channel.id)
        )
    done = await world.mod.slash(recorded, "record stop", post_transcript=True)
    assert "Recording stopped" in done.response.content
    assert "posted in" in done.followups[-1].content
    (posted,) = log_channel.history()
    assert "Transcript of" in posted.content and posted.attachments
    body = (await posted.attachments[0].read()).decode()
    assert "Samantha leaves with the other OSes" in body and "<!DOCTYPE html>" in body


async def test_reaction_counts_of_a_message_kept_again_are_not_counted_twice(world, recorded):
    from cogs.threads.recording.cog import record_of

    cog = world.bot.get_cog("ThreadRecording")
    sent = await world.alice.send(recorded, "react to me")
    await world.bob.react(sent, "👍")
    await flush(world)
    carol = world.members[2]
    kept = cog.recordings.pop(recorded.id)  # herbot misses these two (as if it were down)
    await carol.react(sent, "👍")
    await carol.react(sent, "🎬")
    cog.recordings[recorded.id] = kept
    message = await world.bot.get_channel(recorded.id).fetch_message(sent.id)
    cog.recorder.add_message(record_of(message))  # the catch-up keeps it again
    await flush(world)
    assert await rows(
        world,
        "SELECT emoji, SUM(count) FROM recorded_reactions WHERE message_id = ? "
        "GROUP BY emoji ORDER BY emoji",
        sent.id,
    ) == sorted([("👍", 2), ("🎬", 1)])


async def test_a_reply_keeps_no_quote_of_a_member_who_opted_out(world, recorded):
    said = await world.bob.send(recorded, "words bob takes back")
    await world.bob.slash(recorded, "privacy opt-out", scope="recording")
    reply = await world.alice.send(recorded, "answering bob", reply_to=said)
    await flush(world)
    assert await rows(
        world,
        "SELECT reply_to, reply_author_id, reply_content FROM recorded_messages "
        "WHERE message_id = ?",
        reply.id,
    ) == [(said.id, None, None)]


async def test_a_debate_ending_in_a_recorded_thread_posts_its_transcript(world, recorded):
    from bot import conversations, guild_settings

    async def listeners_done() -> None:
        # The event's listeners run as tasks of their own (discord.py's dispatch): wait for
        # them, bounded, since simcord's settle does not track them.
        for _ in range(600):
            tasks = [
                t for t in asyncio.all_tasks() if "on_herbot_conversation_ended" in t.get_name()
            ]
            if not tasks:
                return
            await asyncio.wait(tasks, timeout=0.05)

    log_channel = world.guild.create_text_channel("transcripts")
    await world.alice.send(recorded, "the motion is carried")
    conversations.ended(world.bot, recorded.id)  # no log channel set: nothing is posted
    await listeners_done()
    assert list(log_channel.history()) == []
    async with world.db.transaction() as tx:
        await guild_settings.set_value(
            tx, world.guild.id, "record_log_channel_id", str(log_channel.id)
        )
    conversations.ended(world.bot, recorded.id)
    await listeners_done()
    (posted,) = log_channel.history()
    assert "Transcript of" in posted.content
    assert "the motion is carried" in (await posted.attachments[0].read()).decode()
    status = await world.mod.slash(recorded, "record status")
    assert "**recording**" in status.response.content  # posting does not stop recording
