"""A poll's lifecycle through the real bot: role pings and reminders, turnout while hidden,
scheduled and repeating polls across restarts, options added before the first vote."""

from __future__ import annotations

import asyncio

import pytest

from cogs.polls import lifecycle_store, store
from tests.helpers import with_embed_title


async def open_poll(world, **options):
    result = await world.mod.slash(world.channel, "poll create", **options)
    assert result.ephemeral and "is open until" in result.response.content, result.response
    message = with_embed_title(world.channel, "Poll #")[-1]
    return int(message.embeds[0].title.split("#")[1].split()[0]), message


def stored(world, message):
    """The message as the backend keeps it: who it notified and its mention policy."""
    return world.env.backend.messages[message.channel.id][message.id]


def role_only_policy(policy, role_id):
    return (
        policy.everyone is False
        and policy.users == frozenset()
        and policy.roles == frozenset({role_id})
        and policy.replied_user is False
    )


def reminders(world, poll_id):
    return [m for m in world.channel.history() if f"poll #{poll_id} closes" in (m.content or "")]


def current(world, message):
    return next(m for m in world.channel.history() if m.id == message.id)


async def test_the_role_is_pinged_when_the_poll_opens_and_nobody_else(world):
    voters = world.guild.create_role("Voters")
    poll_id, message = await open_poll(
        world, motion="Ping @everyone and <@&1> too?", options="Yes; No", role=voters
    )
    assert message.content == f"<@&{voters.id}> poll #{poll_id} is open: vote below."
    kept = stored(world, message)
    assert kept.ping_role_ids == [voters.id]
    assert kept.ping_user_ids == [] and kept.mention_everyone is False
    assert role_only_policy(kept.allowed_mentions, voters.id)

    # A poll without a role pings nobody (the bot's default AllowedMentions.none()).
    _, plain = await open_poll(world, motion="altman-misreads-her")
    assert plain.content in ("", None)
    assert stored(world, plain).ping_role_ids == []


async def test_reminder_before_the_close_fires_once_and_pings_only_the_role(world):
    voters = world.guild.create_role("Voters")
    poll_id, message = await open_poll(
        world, motion="altman-misreads-her", duration="2h", role=voters, remind="30m"
    )
    await world.env.advance_time(90 * 60 - 5)
    assert reminders(world, poll_id) == []
    await world.env.advance_time(10)
    (reminder,) = reminders(world, poll_id)
    assert reminder.content.startswith(f"<@&{voters.id}> poll #{poll_id} closes <t:")
    assert f"/{world.channel.id}/{message.id}" in reminder.content  # links to the poll
    assert stored(world, reminder).ping_role_ids == [voters.id]
    assert role_only_policy(stored(world, reminder).allowed_mentions, voters.id)
    await world.restart()  # a new process does not remind again
    await world.env.advance_time(60 * 60)
    assert len(reminders(world, poll_id)) == 1
    assert not (await store.get_poll(world.db, poll_id)).is_open


async def test_the_server_default_lead_time_and_off(world):
    voters = world.guild.create_role("Voters")
    set_ = await world.admin.slash(
        world.channel, "settings set", key="poll_reminder_minutes", value="15"
    )
    assert set_.ephemeral
    poll_id, _ = await open_poll(world, motion="altman-misreads-her", duration="1h", role=voters)
    quiet_id, _ = await open_poll(
        world, motion="altman-misreads-her", duration="1h", role=voters, remind="off"
    )
    await world.env.advance_time(45 * 60 - 5)
    assert reminders(world, poll_id) == []
    await world.env.advance_time(10)
    assert len(reminders(world, poll_id)) == 1
    await world.env.advance_time(20 * 60)
    assert reminders(world, quiet_id) == []

    too_late = await world.mod.slash(
        world.channel,
        "poll create",
        motion="altman-misreads-her",
        duration="1h",
        role=voters,
        remind="2h",
    )
    assert too_late.ephemeral and "shorter `remind`" in too_late.response.content
    world.user_errors()


async def test_turnout_is_shown_while_the_tally_is_hidden(world):
    poll_id, message = await open_poll(
        world, motion="altman-misreads-her", live=False, duration="1h"
    )
    assert "0 votes so far" in message.embeds[0].description
    await world.alice.click(message, label="For")
    await world.env.advance_time(3)
    shown = current(world, message).embeds[0].description
    assert "1 vote so far" in shown and "hidden until the poll closes" in shown
    assert "(100%)" not in shown  # no count per option
    await world.bob.click(message, label="Against")
    await world.env.advance_time(3)
    assert "2 votes so far" in current(world, message).embeds[0].description
    early = await world.alice.slash(world.channel, "poll results", poll=poll_id)
    assert early.ephemeral and "hidden until it closes (2 votes so far)" in early.response.content
    world.user_errors()


async def polls_of(world, schedule_id):
    rows = await world.db.fetchall(
        "SELECT id, message_id FROM polls WHERE schedule_id = ? ORDER BY id", (schedule_id,)
    )
    return [(int(r[0]), r[1]) for r in rows]


async def test_a_daily_scheduled_poll_opens_once_a_day_across_restarts(world):
    voters = world.guild.create_role("Voters")
    made = await world.mod.slash(
        world.channel,
        "poll schedule create",
        motion="altman-misreads-her",
        start="in 1h",
        repeat="daily",
        duration="2h",
        role=voters,
    )
    assert made.ephemeral and "Scheduled poll #1 opens" in made.response.content
    assert "then daily" in made.response.content
    listed = await world.mod.slash(world.channel, "poll schedule list")
    assert "**#1** opens" in listed.response.content
    assert await polls_of(world, 1) == []

    await world.env.advance_time(3600)
    (first,) = await polls_of(world, 1)
    assert first[1] is not None  # its message was posted and its id stored
    opened = with_embed_title(world.channel, "Poll #")
    assert len(opened) == 1 and opened[0].content.startswith(f"<@&{voters.id}>")

    await world.restart()  # the schedule survives, and the first run is not repeated
    assert len(await polls_of(world, 1)) == 1
    await world.env.advance_time(12 * 3600)
    await world.restart()
    await world.env.advance_time(12 * 3600 - 10)
    assert len(await polls_of(world, 1)) == 1  # not a second early
    await world.env.advance_time(20)
    assert len(await polls_of(world, 1)) == 2
    await world.env.advance_time(24 * 3600)
    found = await polls_of(world, 1)
    assert len(found) == 3 and all(message_id for _, message_id in found)
    assert len(with_embed_title(world.channel, "Poll #")) == 3
    schedule = await lifecycle_store.get_schedule(world.db, 1)
    assert schedule.runs == 3 and schedule.last_poll_id == found[-1][0]

    choices = await world.mod.autocomplete(world.channel, "poll schedule cancel", "schedule", "")
    assert [c["value"] for c in choices] == [1] and len(choices) <= 25
    cancelled = await world.mod.slash(world.channel, "poll schedule cancel", schedule=1)
    assert "is cancelled" in cancelled.response.content
    await world.env.advance_time(2 * 24 * 3600)
    assert len(await polls_of(world, 1)) == 3
    again = await world.mod.slash(world.channel, "poll schedule cancel", schedule=1)
    assert again.ephemeral and "no scheduled poll #1" in again.response.content
    world.user_errors()


async def test_a_run_is_claimed_once_even_by_timers_racing(world):
    made = await world.mod.slash(
        world.channel,
        "poll schedule create",
        motion="altman-misreads-her",
        start="in 1h",
        repeat="weekly",
        duration="1h",
    )
    assert made.ephemeral
    cog = world.bot.get_cog("Polls")
    world.bot.scheduler.cancel("poll:schedule:1")  # the race is run by hand below
    await world.env.advance_time(3600)
    await asyncio.gather(*(cog.run_schedule(1) for _ in range(5)))
    assert len(await polls_of(world, 1)) == 1
    assert len(with_embed_title(world.channel, "Poll #")) == 1


async def test_schedule_refusals_are_clear_and_private(world):
    past = await world.mod.slash(
        world.channel,
        "poll schedule create",
        motion="altman-misreads-her",
        start="2020-01-01 10:00",
    )
    assert past.ephemeral and "in the future" in past.response.content
    overlap = await world.mod.slash(
        world.channel,
        "poll schedule create",
        motion="altman-misreads-her",
        start="in 1h",
        repeat="daily",
        duration="2d",
    )
    assert overlap.ephemeral and "at most 1 day" in overlap.response.content
    member = await world.alice.slash(
        world.channel, "poll schedule create", motion="altman-misreads-her", start="in 1h"
    )
    assert member.ephemeral
    empty = await world.mod.slash(world.channel, "poll schedule list")
    assert "No polls are scheduled" in empty.response.content
    assert len(world.user_errors()) == 4


async def test_options_can_be_added_until_the_first_vote(world):
    poll_id, message = await open_poll(
        world, motion="Best line in Her?", options="The beach; The letter"
    )
    stranger = await world.alice.slash(
        world.channel, "poll add-option", poll=poll_id, option="The ending"
    )
    assert stranger.ephemeral and "opened this poll or a moderator" in stranger.response.content

    added = await world.mod.slash(
        world.channel, "poll add-option", poll=poll_id, option="The ending"
    )
    assert added.ephemeral and "Added **The ending**" in added.response.content
    shown = current(world, message)
    labels = [c.label for row in shown.components for c in row.children]
    assert labels == ["The beach", "The letter", "The ending", "Retract my vote"]
    duplicate = await world.mod.slash(
        world.channel, "poll add-option", poll=poll_id, option="the ENDING"
    )
    assert "already has the option" in duplicate.response.content

    voted = await world.alice.click(shown, label="The ending")
    assert "vote for **The ending** is counted" in voted.response.content
    late = await world.mod.slash(world.channel, "poll add-option", poll=poll_id, option="The song")
    assert late.ephemeral and "before the first vote" in late.response.content
    assert (await store.get_poll(world.db, poll_id)).options == (
        "The beach",
        "The letter",
        "The ending",
    )
    assert (await store.tally(world.db, poll_id)).counts == (0, 0, 1)
    assert len(world.user_errors()) == 3


async def test_forget_me_clears_the_creator_of_schedules_and_their_polls(world):
    made = await world.mod.slash(
        world.channel,
        "poll schedule create",
        motion="altman-misreads-her",
        start="in 1h",
        repeat="daily",
    )
    assert made.ephemeral
    await world.env.advance_time(3600)
    status = await world.mod.slash(world.channel, "privacy status")
    assert status.ephemeral
    shown = await world.mod.slash(world.channel, "privacy forget-me")
    done = await world.mod.click(shown.response, label="Yes, delete my data")
    assert "polls and debates you ran" in done.response.content
    creators = await world.db.fetchall(
        "SELECT created_by FROM poll_schedules UNION ALL SELECT created_by FROM polls"
    )
    assert [int(r[0]) for r in creators] == [0, 0]
    await world.env.advance_time(24 * 3600)  # the schedule keeps running under no one
    assert len(await polls_of(world, 1)) == 2
    assert await world.db.fetchval("SELECT max(created_by) FROM polls") == 0


async def test_a_run_claimed_just_before_a_stop_is_posted_once_on_start(world):
    made = await world.mod.slash(
        world.channel, "poll schedule create", motion="altman-misreads-her", start="in 1h"
    )
    assert made.ephemeral
    await world.bot.remove_cog("Polls")  # its timers die with it: the run is done by hand
    await world.env.advance_time(3600)
    schedule = await lifecycle_store.get_schedule(world.db, 1)
    async with world.db.transaction() as tx:  # claimed and created, then the process "stops"
        claimed, _ = await lifecycle_store.claim_run(tx, schedule, world.bot.now())
        poll_id = await lifecycle_store.open_scheduled_poll(tx, claimed, world.bot.now())
    assert await polls_of(world, 1) == [(poll_id, None)]
    await world.restart()
    ((_, message_id),) = await polls_of(world, 1)
    assert message_id is not None
    await world.restart()
    assert len(with_embed_title(world.channel, "Poll #")) == 1
    assert not (await lifecycle_store.get_schedule(world.db, 1)).active  # a one-off is done


@pytest.mark.parametrize("style", ["", ":R", ":F", ":t"])
async def test_a_discord_timestamp_schedules_the_poll_at_that_moment(world, style):
    """Issue 21: the client writes <t:…> in the member's own zone; herbot reads the moment and
    shows it back as a timestamp, so each member sees their own zone."""
    opens = int(world.bot.now().timestamp()) + 3 * 3600
    made = await world.mod.slash(
        world.channel,
        "poll schedule create",
        motion="altman-misreads-her",
        start=f"<t:{opens}{style}>",
    )
    assert made.ephemeral and f"Scheduled poll #1 opens <t:{opens}:f>" in made.response.content
    await world.env.advance_time(3 * 3600 - 60)
    assert await polls_of(world, 1) == []
    await world.env.advance_time(120)
    assert len(await polls_of(world, 1)) == 1


@pytest.mark.parametrize("start", ["<t:abc>", "<t:1796151600:Q>", "<t:999999999999:F>", "<t:1>"])
async def test_a_broken_or_unreachable_discord_timestamp_is_refused_clearly(world, start):
    made = await world.mod.slash(
        world.channel, "poll schedule create", motion="altman-misreads-her", start=start
    )
    assert made.ephemeral
    text = made.response.content
    assert "Discord timestamp" in text or "in the future" in text or "a year" in text, text
    assert len(text) < 400
    assert await polls_of(world, 1) == []
    world.user_errors()
