"""Rough edges a new member hit (issue 12), each as a test that failed before its fix."""

from __future__ import annotations

from cogs.polls import store
from tests.helpers import debate_thread, with_embed_title

MOTION = "This house believes Sam Altman misreads *Her*"
LONG = (
    "This house believes that the ending of *Her* (2013), when Samantha and the other "
    "operating systems leave, is a __hopeful__ one"
)


def _raw_markup(text: str) -> bool:
    return any(mark in text for mark in ("*", "__", "~~", "`"))


async def test_debate_thread_name_has_no_raw_markdown(world):
    result = await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    assert result.ephemeral
    thread = debate_thread(world)
    assert thread.name == "Debate #1: This house believes Sam Altman misreads Her"


async def test_autocomplete_choices_have_no_raw_markdown(world):
    motions = await world.mod.autocomplete(world.channel, "poll create", "motion", "altman")
    assert motions and not any(_raw_markup(c["name"]) for c in motions)
    await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    debates = await world.alice.autocomplete(world.channel, "debate results", "debate", "")
    assert [c["name"] for c in debates] == ["#1: This house believes Sam Altman misreads Her"]
    await world.mod.slash(world.channel, "poll create", motion="altman-misreads-her")
    polls = await world.alice.autocomplete(world.channel, "poll results", "poll", "")
    assert polls and not any(_raw_markup(c["name"]) for c in polls)


async def test_debate_history_line_has_no_raw_markdown(world):
    await world.mod.slash(world.channel, "debate start", motion=LONG)
    history = await world.alice.slash(world.channel, "debate history")
    line = history.response.content
    motion_part = line.split("** ", 1)[1].split(" — ")[0]
    assert not _raw_markup(motion_part), line
    assert motion_part.startswith("This house believes that the ending of Her (2013)")


async def test_public_tally_follows_a_click_at_once(world):
    """The first vote after a quiet spell shows at once; a burst is coalesced after it."""
    result = await world.mod.slash(world.channel, "poll create", motion="altman-misreads-her")
    assert result.ephemeral
    message = with_embed_title(world.channel, "Poll #")[-1]
    await world.alice.click(message, label="For")
    shown = next(m for m in world.channel.history() if m.id == message.id)
    assert "**For** — 1 (100%)" in shown.embeds[0].description
    for member in world.members[1:]:
        await member.click(message, label="Against")
    await world.env.advance_time(world.bot.get_cog("Polls").config.tally_refresh_seconds)
    shown = next(m for m in world.channel.history() if m.id == message.id)
    total = len(world.members)
    assert f"**Against** — {total - 1}" in shown.embeds[0].description
    assert (await store.tally(world.db, 1)).total == total


async def test_private_replies_do_not_repeat_only_you_can_see_this(world):
    """Discord already writes "Only you can see this" under every ephemeral reply."""
    await world.mod.slash(world.channel, "poll create", motion="altman-misreads-her")
    message = with_embed_title(world.channel, "Poll #")[-1]
    voted = await world.alice.click(message, label="For")
    retracted = await world.alice.click(message, label="Retract my vote")
    for reply in (voted, retracted):
        assert reply.ephemeral
        assert "only you" not in reply.response.content.lower()


async def test_settings_show_gives_the_effective_value_and_its_source(world):
    """qotd_time was "not set" while settings.toml set 09:00."""
    shown = (await world.admin.slash(world.channel, "settings show")).response.content
    assert "not set" not in shown
    assert "**qotd_time**: `09:00` (from settings.toml [quotes] qotd_time)" in shown
    assert "**moderator_role_id**: <@&" in shown and "(from this server" in shown
    assert "**qotd_channel_id**: no quote of the day is posted (default)" in shown


async def test_empty_optional_fields_suggest_something(world):
    """An empty field with suggestions offers some (Discord asks for them on focus)."""
    for option in ("speaker", "source", "tag"):
        found = await world.alice.autocomplete(world.channel, "quote random", option, "")
        assert found, option
