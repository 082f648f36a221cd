"""Vote clicks on the fast lane (bot/fastlane.py): the same answers, rules and rows as the
DynamicItem path, and every case the lane does not take still answered by that path.

A closed poll is never on the lane: closing it drops it from the loaded polls the lane reads.
"""

from __future__ import annotations

from cogs.polls import store
from tests.polls.test_polls_cog import open_poll


async def test_loaded_open_poll_votes_take_the_lane_with_the_same_words(world):
    lane = world.env.bot.fastlane
    poll_id, message = await open_poll(world, motion="altman-misreads-her")
    first = await world.alice.click(message, label="For")  # loads the poll: ordinary path
    assert "vote for **For** is counted" in first.response.content
    handled = lane.handled

    bob = await world.bob.click(message, label="Against")
    assert bob.ephemeral and "vote for **Against** is counted" in bob.response.content
    changed = await world.alice.click(message, label="Against")
    assert changed.ephemeral and "from **For** to **Against**" in changed.response.content
    same = await world.alice.click(message, label="Against")
    assert "nothing changed" in same.response.content
    assert lane.handled == handled + 3

    assert (await store.tally(world.db, poll_id)).counts == (0, 2, 0)
    await world.env.advance_time(3)  # the tally is redrawn by the loop, off the click path
    refreshed = next(m for m in world.channel.history() if m.id == message.id)
    assert "**Against** — 2 (100%)" in refreshed.embeds[0].description


async def test_a_role_refusal_is_answered_on_the_lane_in_the_same_words(world):
    lane = world.env.bot.fastlane
    voters = world.guild.create_role("Voters")
    poll_id, message = await open_poll(world, motion="altman-misreads-her", role=voters)
    refused = await world.alice.click(message, label="For")
    assert refused.ephemeral and "Only members with the" in refused.response.content
    handled, declined = lane.handled, lane.declined
    again = await world.alice.click(message, label="For")  # loaded now: the lane answers it
    assert again.ephemeral and again.response.content == refused.response.content
    assert (lane.handled, lane.declined) == (handled + 1, declined)
    assert (await store.tally(world.db, poll_id)).counts == (0, 0, 0)
    world.user_errors()


async def test_group_commit_path_keeps_the_lane_off(world):
    world.env.bot.fastlane.remove("herbot:poll:vote:")  # what bench.baselines does
    lane = world.env.bot.fastlane
    _, message = await open_poll(world, motion="altman-misreads-her")
    await world.alice.click(message, label="For")
    second = await world.bob.click(message, label="For")
    assert "is counted" in second.response.content
    assert lane.handled == 0


async def test_a_ranking_submit_takes_the_lane_and_replaces_the_builder(world):
    from cogs.polls import ballot_store
    from tests.polls.test_poll_kinds import open_poll as open_ballot_poll
    from tests.polls.test_poll_kinds import rank

    lane = world.env.bot.fastlane
    poll_id, message = await open_ballot_poll(
        world, motion="altman-misreads-her", kind="ranked", options="Yes; No; Unsure"
    )
    await rank(world.alice, message, ["Yes", "No"])  # loads the poll: the ordinary path
    handled = lane.handled
    answer = await rank(world.bob, message, ["No", "Unsure", "Yes"])
    assert lane.handled == handled + 1  # the submit was answered on the lane
    assert "Your ballot is counted" in answer.content
    assert answer.components == []  # the builder's buttons are gone, as on the ordinary path
    changed = await rank(world.bob, message, ["Unsure"])
    assert "You changed your ballot" in changed.content
    assert lane.handled == handled + 2
    stored = await ballot_store.ballots(world.db, poll_id)
    assert stored[world.alice.id] == (0, 1) and stored[world.bob.id] == (2,)
