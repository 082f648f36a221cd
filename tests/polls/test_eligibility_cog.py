"""Votes no one can pack, played through simcord: each eligibility rule's refusal with its
reason, the quorum as turnout on the card and in the result, and a burst on the fast lane
where a third of the clickers may not vote."""

from __future__ import annotations

from bench.votes import emit_clicks
from cogs.polls import store
from cogs.polls.eligibility import account_created
from tests.helpers import with_embed_title
from tests.polls.test_polls_cog import open_poll


def set_pending(world, member, pending: bool = True) -> None:
    """Membership screening not passed yet (simcord's member model carries ``pending``)."""
    world.env.backend.get_guild(world.guild.id).members[member.id].pending = pending


async def test_members_who_joined_after_the_poll_opened_are_refused_with_the_cutoff(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her", eligible="joined")
    await world.env.advance_time(60)
    (newcomer,) = await world.add_members(1, prefix="late")
    refused = await newcomer.click(message, label="For")
    assert refused.ephemeral
    assert "Only members who joined the server before <t:" in refused.response.content
    assert "You joined <t:" in refused.response.content
    counted = await world.alice.click(message, label="For")  # joined before it opened
    assert "is counted" in counted.response.content
    again = await newcomer.click(message, label="For")  # the poll is loaded: the fast lane
    assert again.response.content == refused.response.content
    assert (await store.tally(world.db, poll_id)).counts == (1, 0, 0)
    about = message.embeds[0].fields[0].value
    assert "Only members who joined before <t:" in about


async def test_joined_days_rule_names_when_the_member_would_qualify(world):
    await world.env.advance_time(3 * 3600)
    (recent,) = await world.add_members(1, prefix="recent")
    await world.env.advance_time(3600)
    _, message = await open_poll(world, motion="altman-misreads-her", eligible="joined 2h")
    refused = await recent.click(message, label="For")
    said = refused.response.content
    assert "joined the server before <t:" in said and "are yours to vote in" in said
    ok = await world.alice.click(message, label="For")  # joined four hours before it opened
    assert "is counted" in ok.response.content


async def test_unscreened_members_are_refused_until_they_pass_screening(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her", eligible="screened")
    set_pending(world, world.bob)
    refused = await world.bob.click(message, label="Against")
    assert refused.ephemeral and "membership screening" in refused.response.content
    set_pending(world, world.bob, False)
    counted = await world.bob.click(message, label="Against")
    assert "is counted" in counted.response.content
    assert (await store.tally(world.db, poll_id)).counts == (0, 1, 0)


async def test_young_accounts_are_refused_with_the_moment_they_may_vote(world):
    created = account_created(world.alice.id)
    age_days = (world.env.now() - created).days
    _, message = await open_poll(
        world, motion="altman-misreads-her", eligible=f"account {age_days + 2}d"
    )
    refused = await world.alice.click(message, label="For")
    said = refused.response.content
    assert refused.ephemeral and f"at least {age_days + 2} days old" in said
    assert "yours may from <t:" in said


async def test_unreadable_rules_get_a_clear_private_answer(world):
    for eligible, words in (("everyone", "can't read the eligibility"), ("x" * 6000, "at most")):
        result = await world.mod.slash(
            world.channel, "poll create", motion="altman-misreads-her", eligible=eligible
        )
        assert result.ephemeral and words in result.response.content
    result = await world.mod.slash(
        world.channel, "poll create", motion="altman-misreads-her", quorum="half"
    )
    assert result.ephemeral and "can't read the quorum" in result.response.content
    assert with_embed_title(world.channel, "Poll #") == []
    world.user_errors()


async def result_card_text(world) -> str:
    from tests.helpers import layout_texts

    posted = [m for m in world.channel.history() if m.components and layout_texts(m)]
    return "\n".join(layout_texts(posted[-1]))


async def test_quorum_not_reached_shows_turnout_and_says_so_in_the_result(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her", quorum="3")
    await world.alice.click(message, label="For")
    await world.env.advance_time(3)
    card = next(m for m in world.channel.history() if m.id == message.id)
    assert "Turnout: 1 of 3 votes for the quorum (2 more votes needed)" in (
        card.embeds[0].description
    )
    closed = await world.mod.slash(world.channel, "poll close", poll=poll_id)
    assert "is closed" in closed.response.content
    text = await result_card_text(world)
    assert "Quorum not reached" in text and "1 vote of the 3 needed" in text


async def test_quorum_share_of_members_reached_in_the_result(world):
    # 6 members (mod, admin, alice, bob, carol, the bot): 50% is 3 votes
    count = world.env.bot.get_guild(world.guild.id).member_count
    poll_id, message = await open_poll(world, motion="altman-misreads-her", quorum="50%")
    need = -(-count // 2)
    voters = [world.alice, world.bob, world.members[2], world.mod, world.admin][:need]
    for member in voters:
        await member.click(message, label="Against")
    await world.mod.slash(world.channel, "poll close", poll=poll_id)
    text = await result_card_text(world)
    assert f"Quorum reached: {need} of {need} votes needed." in text or (
        need == 1 and "Quorum reached: 1 of 1 vote needed." in text
    )


async def test_a_burst_where_a_third_may_not_vote_is_refused_and_counted_exactly(world):
    lane = world.env.bot.fastlane
    old = await world.add_members(40, prefix="old")
    poll_id, message = await open_poll(world, motion="altman-misreads-her", eligible="joined")
    await world.alice.click(message, label="For")  # loads the poll: the lane takes the rest
    await world.env.advance_time(60)
    new = await world.add_members(20, prefix="new")
    handled = lane.handled
    clickers = [*old, *new]
    vote = f"herbot:poll:vote:{poll_id}:1"
    records = emit_clicks(world.env, message, [(m, vote) for m in clickers])
    await world.env.settle()
    backend = world.env.backend
    for member, record in zip(clickers, records, strict=True):
        assert record.responded and record.message_id is not None
        said = backend.get_message(record.channel_id, record.message_id).content
        if member in new:
            assert "Only members who joined the server before" in said, said
        else:
            assert "is counted" in said, said
    assert lane.handled == handled + len(clickers)  # every click answered on the lane
    assert (await store.tally(world.db, poll_id)).counts == (1, 40, 0)
    ids = set((await store.ballots(world.db, poll_id)).keys())
    assert ids == {world.alice.id, *(m.id for m in old)}


async def test_a_ranked_poll_shows_its_quorum_and_says_when_it_was_not_reached(world):
    from tests.polls.test_poll_kinds import open_poll as open_ballot_poll
    from tests.polls.test_poll_kinds import rank

    poll_id, message = await open_ballot_poll(
        world, motion="altman-misreads-her", kind="ranked", options="Yes; No", quorum="2"
    )
    await rank(world.alice, message, ["Yes", "No"])
    await world.env.advance_time(3)
    card = next(m for m in world.channel.history() if m.id == message.id)
    assert "Turnout: 1 of 2 votes for the quorum" in card.embeds[0].description
    await world.mod.slash(world.channel, "poll close", poll=poll_id)
    text = await result_card_text(world)
    assert "Quorum not reached" in text and "1 vote of the 2 needed" in text
