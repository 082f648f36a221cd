"""A Stage debate through the real bot (simcord models Stage voice states and Discord's
PATCH /guilds/{g}/voice-states/{u}): the speaker called is brought up and sent back when their
time ends, a POI brings its offerer up for its time, pause/resume/extend apply, a restart in the
middle, a member not on the Stage is told, and the permission Discord requires is checked."""

from __future__ import annotations

import discord

from cogs.debate import stage
from cogs.debate.machine import State
from tests.debate.test_debate_cog import count, ctl
from tests.helpers import find


def speaking(world, member) -> bool:
    state = world.guild.voice_states().get(member.id)
    assert state is not None, f"{member} is not on the Stage"
    return not state.suppress


async def audience(world, hall, *members):
    for member in members:  # on a Stage a member joins as audience (suppressed)
        await member.join_voice(hall)
        world.env.backend.set_voice_state(world.guild.id, member.id, hall.id, suppress=True)


async def test_a_stage_debate_played_through(world):
    hall = world.guild.create_stage_channel("Debate night")
    alice, bob, carol = world.members[:3]
    await audience(world, hall, alice, bob)
    world.bot.get_cog("Debates")._panel_budget.edits = 10_000
    opened = await world.mod.slash(
        world.channel,
        "debate start",
        motion="altman-misreads-her",
        format="british-parliamentary",
        stage=hall,
    )
    assert "is open in" in opened.response.content
    thread = world.channel.threads[-1]
    assert count(thread, f"This debate runs on the Stage <#{hall.id}>") == 1

    await ctl(alice, thread, "Speak For")
    await ctl(bob, thread, "Speak Against")
    await ctl(world.mod, thread, "Next phase")  # preparation ends: the first speech
    assert not speaking(world, alice)
    await ctl(world.mod, thread, "Call next")
    assert speaking(world, alice) and not speaking(world, bob)

    # A point of information accepted: its offerer comes up for its time.
    await world.env.advance_time(90)
    await ctl(bob, thread, "Offer POI")
    offer = find(thread, lambda m: "offers a **point of information**" in (m.content or ""))[-1]
    await alice.click(offer, label="Accept")
    assert speaking(world, bob) and speaking(world, alice)
    await world.env.advance_time(stage.POI_SECONDS)
    assert not speaking(world, bob) and speaking(world, alice)

    # A POI accepted just before a restart: its offerer goes back with the speech at the latest.
    await ctl(bob, thread, "Offer POI")
    offer = find(thread, lambda m: "offers a **point of information**" in (m.content or ""))[-1]
    await alice.click(offer, label="Accept")
    assert speaking(world, bob)
    await world.restart()  # its timer went with the old process: the new one sends them back
    assert not speaking(world, bob) and speaking(world, alice)
    await world.env.advance_time(stage.POI_SECONDS)

    # Pause and resume apply to the Stage; a restart in the middle changes nothing.
    await ctl(world.mod, thread, "Pause")
    assert not speaking(world, alice)
    await world.restart()
    await ctl(world.mod, thread, "Resume")
    assert speaking(world, alice)

    # Extend keeps the speaker up for the extra time; time is up: back to the audience.
    await ctl(world.mod, thread, "Extend +60s")
    await world.env.advance_time(420 - 130)
    assert count(thread, f"Time is up for <@{alice.id}>") == 0 and speaking(world, alice)
    await world.env.advance_time(60)
    assert count(thread, f"Time is up for <@{alice.id}>") == 1
    assert not speaking(world, alice)

    # The next speech: the previous speaker goes back, the next one comes up.
    await ctl(world.mod, thread, "Next phase")
    assert not speaking(world, alice) and not speaking(world, bob)
    await ctl(world.mod, thread, "Call next")
    assert speaking(world, bob)

    # A speaker who is not on the Stage is told in the thread.
    await ctl(carol, thread, "Speak For")
    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    assert count(thread, f"<@{carol.id}> is not on the Stage <#{hall.id}>: join it") == 1
    assert not speaking(world, bob)


async def test_a_stage_without_mute_members_is_refused_clearly(world):
    hall = world.guild.create_stage_channel("Locked stage")
    me = world.bot.get_guild(world.guild.id).me
    deny = discord.PermissionOverwrite(mute_members=False)
    await world.bot.get_channel(hall.id).set_permissions(me, overwrite=deny)
    refused = await world.mod.slash(
        world.channel, "debate start", motion="altman-misreads-her", stage=hall
    )
    assert refused.ephemeral and "herbot needs **Mute Members** in" in refused.response.content
    assert world.user_errors()


def test_who_is_on_stage():
    called = State(phase="speech", speech_index=0, speaker_id=7, deadline=None, remaining=30.0)
    assert stage.on_stage(called) == {7}
    assert stage.on_stage(State(phase="speech", speech_index=0)) == frozenset()
    assert stage.changes(called, State(phase="post_vote")) == (frozenset(), {7})
    assert stage.on_stage(called, time_up=True) == frozenset()


async def test_a_scheduled_debate_points_at_its_stage(world):
    hall = world.guild.create_stage_channel("Debate night")
    scheduled = await world.mod.slash(
        world.channel, "debate schedule", motion="altman-misreads-her", start="in 2h", stage=hall
    )
    assert scheduled.ephemeral and f"/debate start stage:<#{hall.id}>" in scheduled.response.content
    (event,) = await world.bot.get_guild(world.guild.id).fetch_scheduled_events()
    assert event.entity_type == discord.EntityType.stage_instance
    assert event.channel_id == hall.id and event.location is None
