"""A debate's votes no one can pack: /debate start's eligible: and quorum: options, the same
rules on both votes, the turnout on the vote messages and "Quorum not reached" in the result."""

from __future__ import annotations

from bot.pacing import EditBudget
from tests.helpers import debate_thread, panel, vote_message, with_embed_title


async def start(world, **options):
    world.bot.get_cog("Debates")._panel_budget = EditBudget(edits=10_000)
    result = await world.mod.slash(
        world.channel, "debate start", motion="altman-misreads-her", **options
    )
    assert result.ephemeral and "is open in" in result.response.content
    return debate_thread(world)


async def next_phase(world, thread, times=1):
    for _ in range(times):
        await world.mod.click(panel(thread), label="Next phase")


async def test_newcomers_are_refused_on_both_votes_and_the_quorum_is_not_reached(world):
    voters = await world.add_members(3)
    thread = await start(world, eligible="joined", quorum="4")
    pre = vote_message(thread, "pre")
    assert "Turnout: 0 of 4 votes for the quorum" in pre.embeds[0].description
    assert "Only members who joined before <t:" in pre.embeds[0].description
    await world.env.advance_time(60)
    (newcomer,) = await world.add_members(1, prefix="late")
    refused = await newcomer.click(pre, label="For")
    assert refused.ephemeral and "joined the server before" in refused.response.content
    for member in voters:
        assert "is counted" in (await member.click(pre, label="Against")).response.content
    await next_phase(world, thread, 7)  # to the post-debate vote
    post = vote_message(thread, "post")
    again = await newcomer.click(post, label="For")  # the same cutoff as the vote before
    assert "joined the server before" in again.response.content
    for member in voters:
        await member.click(post, label="For")
    await next_phase(world, thread)
    result = with_embed_title(thread, "Debate #1 result")[-1].embeds[0]
    assert "**Quorum not reached**: 3 members voted both" in result.description
    assert "of the 4 needed" in result.description
    assert result.fields[2].value.endswith("· Quorum: 4 (not reached)")


async def test_a_reached_quorum_leaves_the_winner(world):
    voters = await world.add_members(2)
    thread = await start(world, quorum="2")
    for member in voters:
        await member.click(vote_message(thread, "pre"), label="Against")
    await next_phase(world, thread, 7)
    for member in voters:
        await member.click(vote_message(thread, "post"), label="For")
    await next_phase(world, thread)
    result = with_embed_title(thread, "Debate #1 result")[-1].embeds[0]
    assert "**For** wins" in result.description
    assert result.fields[2].value.endswith("· Quorum: 2 (reached)")


async def test_unreadable_rules_open_no_debate(world):
    result = await world.mod.slash(
        world.channel, "debate start", motion="altman-misreads-her", eligible="the worthy"
    )
    assert result.ephemeral and "can't read the eligibility rules" in result.response.content
    assert with_embed_title(world.channel, "Debate #") == []
    world.user_errors()


async def test_rules_with_a_motion_veto_are_refused_until_the_veto_carries_them(world):
    result = await world.mod.slash(
        world.channel,
        "debate start",
        motion="altman-misreads-her",
        format="asian-parliamentary",
        veto="samantha-ending-warning; her-tweet-fair",
        quorum="10",
    )
    assert result.ephemeral and "cannot be combined with a motion veto" in result.response.content
    assert with_embed_title(world.channel, "Debate #") == []
    world.user_errors()
