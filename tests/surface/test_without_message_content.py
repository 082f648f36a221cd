"""herbot without the privileged Message Content intent (issue 20).

The bot identifies without it (``[bot] message_content = false``) and the simulated Developer
Portal grants no privileged intent, so simcord blanks other people's messages both in
gateway events and over REST, as Discord does. A member's whole path through quotes, /ask,
polls and debates works; the two parts that read members' messages (live recording and
nominations by reaction) answer a private refusal that says how to turn them on, their
listeners stay quiet, and /help says once what is off.
"""

from __future__ import annotations

from dataclasses import replace

import discord
import pytest

from bot.config import Settings
from bot.intents import HOW_TO_ENABLE
from bot.pacing import EditBudget
from cogs.debate import store as debate_store
from cogs.polls import store as poll_store
from cogs.quotes import review_store
from tests import cards
from tests.helpers import debate_thread, panel, panel_text, vote_message, with_embed_title
from tests.quotes.ask.support import warm_vectors

# The portal grants no privileged intent: REST reads are blanked too, not only the gateway.
pytestmark = pytest.mark.simcord(approved_intents=discord.Intents.default())


@pytest.fixture(scope="module", autouse=True)
def _vectors() -> None:
    warm_vectors()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, message_content=False)


def _modal_fields(shown) -> list[str]:
    return [
        label["component"]["custom_id"]
        for label in shown.modal["components"]
        if "component" in label
    ]


async def test_quotes_ask_polls_and_debates_work_for_members(world):
    assert not world.bot.intents.message_content

    # Quotes: show, search, submit by form, save a message from its menu.
    shown = await world.alice.slash(world.channel, "quote show", id="fs-002")
    assert cards.is_card(shown) and "`fs-002`" in cards.text(shown)
    found = await world.alice.slash(world.channel, "quote search", text="Altman")
    assert found.ephemeral and "fs-" in found.response.content
    form = await world.alice.slash(world.channel, "quote submit", source="her-film")
    assert _modal_fields(form)[:2] == ["text", "speaker"]
    done = await world.alice.submit_modal(
        form, {"text": "I'm yours and I'm not yours.", "speaker": "Samantha"}
    )
    assert "waiting for a moderator" in done.response.content
    words = await world.bob.send(world.channel, "The film is about people, not products.")
    saved = await world.alice.context_menu(world.channel, "Save as quote", words)
    assert "Saved bob's message for review" in saved.response.content  # the menu carries it
    pending = {q.text: q.id for q in await review_store.pending(world.db, world.guild.id)}
    assert set(pending) == {
        "I'm yours and I'm not yours.",
        "The film is about people, not products.",
    }
    qid = pending["The film is about people, not products."]
    review = await world.mod.slash(world.channel, "quote review")
    await world.mod.click(review.response.message, custom_id=f"herbot:quote:approve:{qid}")
    again = await world.bob.slash(world.channel, "quote show", id=qid)
    assert "The film is about people, not products." in cards.text(again)

    # /ask.
    asked = await world.alice.slash(world.channel, "ask", question="Who voices Samantha?")
    assert cards.is_card(asked) and "Scarlett Johansson" in cards.text(asked)

    # A poll: create, vote, close, result.
    created = await world.mod.slash(world.channel, "poll create", motion="altman-misreads-her")
    assert "is open until" in created.response.content
    poll = with_embed_title(world.channel, "Poll #")[-1]
    voted = await world.alice.click(poll, label="For")
    assert "vote for **For** is counted" in voted.response.content
    await world.bob.click(poll, label="Against")
    await world.members[2].click(poll, label="For")
    poll_id = int(poll.embeds[0].title.split("#")[1].split()[0])
    closed = await world.mod.slash(world.channel, "poll close", poll=poll_id)
    assert "is closed" in closed.response.content
    assert (await poll_store.tally(world.db, poll_id)).counts == (2, 1, 0)
    assert cards.text(world.channel.last_message).startswith(f"### Result of poll #{poll_id}")

    # A debate: start, the pre-debate vote, the next phase.
    # The panel is redrawn on every change (these clicks come faster than Discord's pacing).
    world.bot.get_cog("Debates")._panel_budget = EditBudget(edits=10_000)
    started = await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    assert "is open in" in started.response.content
    thread = debate_thread(world)
    assert "**Phase:** Pre-debate vote" in panel_text(thread)
    pre = await world.alice.click(vote_message(thread, "pre"), label="For")
    assert "counted" in pre.response.content
    joined = await world.bob.click(panel(thread), label="Speak For")
    assert "in the queue" in joined.response.content
    await world.mod.click(panel(thread), label="Next phase")
    assert "**Phase:** Opening statements: For" in panel_text(thread)
    debate = await debate_store.get_debate(world.db, 1)
    assert debate is not None and debate.state.phase == "opening_for"

    # The debate thread is not recorded: no notice says it is when nothing would be.
    assert await world.db.fetchval("SELECT count(*) FROM thread_recordings") == 0
    assert not any("being recorded" in (m.content or "") for m in thread.history())
    assert world.user_errors() == []


async def test_recording_and_nominations_refuse_and_help_says_they_are_off(world):
    refused = await world.mod.slash(world.channel, "record start")
    assert refused.ephemeral
    said = refused.response.content
    assert said.startswith("Live recording needs Discord's Message Content intent")
    assert "searched and exported" in said and HOW_TO_ENABLE in said
    nominate = await world.mod.slash(world.channel, "quote nominations", emoji="⭐")
    assert nominate.ephemeral
    assert nominate.response.content.startswith(
        "Nominations by reaction needs Discord's Message Content intent"
    )
    assert "Save as quote" in nominate.response.content
    # Everyone reads why, not "only moderators".
    member = await world.alice.slash(world.channel, "record start")
    assert member.response.content == said
    assert world.user_errors() == [said, nominate.response.content, said]

    helped = await world.alice.slash(world.channel, "help")
    fields = {f.name: f.value for f in helped.response.embeds[0].fields}
    off = [line for value in fields.values() for line in value.splitlines() if "Off here" in line]
    assert off == [
        "⚠️ *Off here:* nominations by reaction (`/quote nominations`): herbot runs without "
        "Discord's Message Content intent.",
        "⚠️ *Off here:* live recording (`/record start`): herbot runs without Discord's "
        "Message Content intent.",
    ]
    assert any("/quote show" in v for v in fields.values())  # the rest is listed as ever


async def test_the_listeners_that_read_messages_stay_quiet(world):
    # Nominations set up through /settings (the command refuses): reactions queue nothing.
    for key, value in (("quote_nominate_emoji", "⭐"), ("quote_nominate_threshold", "1")):
        await world.admin.slash(world.channel, "settings set", key=key, value=value)
    message = await world.bob.send(world.channel, "Samantha outgrows the frame.")
    await world.alice.react(message, "⭐")
    assert await review_store.pending(world.db, world.guild.id) == []
    assert await world.db.fetchval("SELECT count(*) FROM quote_nominations") == 0

    # A channel listed for automatic recording: nothing starts, nothing is kept.
    listed = await world.admin.slash(
        world.channel, "settings set", key="record_channel_ids", value=str(world.channel.id)
    )
    assert "record_channel_ids" in listed.response.content
    await world.bob.send(world.channel, "Nobody records this.")
    await world.bob.send(world.channel, f"<@{world.bot.user.id}> not even this.")
    await world.env.advance_time(5)
    assert await world.db.fetchval("SELECT count(*) FROM thread_recordings") == 0
    assert await world.db.fetchval("SELECT count(*) FROM recorded_messages") == 0

    # A message link's words arrive blank over REST: the answer points at the message menu.
    linked = await world.alice.slash(world.channel, "quote submit", link=message.jump_url)
    assert linked.modal is None and linked.ephemeral
    assert "Apps → Quote this message" in linked.response.content
    menu = await world.alice.context_menu(world.channel, "Quote this message", message)
    assert menu.modal is not None  # the menu's message carries its words
    assert len(world.user_errors()) == 1


async def test_a_recording_started_before_is_paused_and_says_so(world):
    from cogs.threads.recording import store as thread_store
    from tests.helpers import write

    await write(
        world.db,
        thread_store.start_recording,
        channel_id=world.channel.id,
        guild_id=world.guild.id,
        name="general",
        parent_id=None,
        reason="manual",
        started_by=world.mod.id,
        now=world.env.now(),
    )
    world_bot = await world.restart()  # loads the recording, still without the intent
    assert not world_bot.intents.message_content
    await world.bob.send(world.channel, "Said while paused.")
    await world.env.advance_time(5)
    assert await world.db.fetchval("SELECT count(*) FROM recorded_messages") == 0
    status = await world.alice.slash(world.channel, "record status")
    assert "This conversation is **paused**" in status.response.content
    assert "Nothing new is recorded" in status.response.content


async def test_the_gate_stays_with_this_bot(world):
    """Another bot in the same process (a restart with the intent, the next test) is not
    refused: the gate is on this bot's copies of the commands, not on the cogs' classes."""
    from cogs.quotes.cog import Quotes
    from cogs.threads.recording.cog import ThreadRecording

    refused = await world.mod.slash(world.channel, "record start")
    assert "needs Discord's Message Content intent" in refused.response.content
    world.user_errors()
    for command in (ThreadRecording.record_start, Quotes.nominations_setup):
        assert all(check.__module__ != "bot.intents" for check in command.checks)
