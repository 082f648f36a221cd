"""A group commit isolates a bad row: one member's refused vote or ballot fails only theirs.

Clicks that arrive together share one transaction (bot/group_commit.py). When the database
refuses one member's row, the group is written again item by item: the other members are
counted and told so, the refused member alone hears "Something went wrong", and nobody is
told a vote counted that was not stored.
"""

from __future__ import annotations

from bench.votes import emit_clicks, emit_submits
from cogs.polls import ballot_store, store
from tests import engines
from tests.polls.test_poll_kinds import open_poll as open_ballot_poll
from tests.polls.test_polls_cog import open_poll

WENT_WRONG = "Something went wrong on my side"


def answer(world, record) -> str:
    """What the member read: the bot's reply to their click (a new or an edited message)."""
    assert record.responded, "the click was not answered"
    message_id = record.message_id or record.source_message_id
    return world.env.backend.get_message(record.channel_id, message_id).content


async def test_one_refused_vote_in_a_group_of_100_fails_only_that_member(world):
    cog = world.bot.get_cog("Polls")
    poll_id, message = await open_poll(world, motion="altman-misreads-her")
    await world.alice.click(message, label="For")  # written alone; loads the poll
    crowd = await world.add_members(100, prefix="voter")
    victim = crowd[57]
    async with world.db.transaction() as tx:
        await engines.refuse(
            tx, "refuse_vote", "poll_votes", "INSERT", "refused", where=f"NEW.user_id = {victim.id}"
        )
    groups = len(cog.writer.groups)
    clicks = [(m, f"herbot:poll:vote:{poll_id}:{i % 3}") for i, m in enumerate(crowd)]
    records = emit_clicks(world.env, message, clicks)
    await world.env.settle(timeout=120)

    sizes = cog.writer.groups[groups:]
    assert max(sizes) > 1 and sum(sizes) == 100, sizes  # the victim's click shared a group
    told = {m.id: answer(world, r) for (m, _), r in zip(clicks, records, strict=True)}
    assert WENT_WRONG in told.pop(victim.id)
    assert all("is counted" in text for text in told.values()), told
    stored = {
        row["user_id"]: row["position"]
        for row in await world.db.fetchall(
            "SELECT user_id, position FROM poll_votes WHERE poll_id = ?", (poll_id,)
        )
    }
    assert victim.id not in stored
    assert stored == {
        world.alice.id: 0,
        **{m.id: i % 3 for i, m in enumerate(crowd) if m is not victim},
    }
    assert (await store.tally(world.db, poll_id)).total == 100  # alice and 99 of the crowd


async def test_one_refused_ballot_in_a_group_of_100_fails_only_that_member(world):
    poll_id, message = await open_ballot_poll(
        world, motion="altman-misreads-her", kind="ranked", options="Yes; No; Unsure"
    )
    crowd = await world.add_members(100, prefix="ranker")
    victim = crowd[31]
    wanted = {m.id: ((0,), (1, 0), (2, 1, 0))[i % 3] for i, m in enumerate(crowd)}
    builders = []
    for member in crowd:  # each opens the private builder first, as members do
        shown = await member.click(message, label="Rank the options")
        ranking = ".".join(str(p) for p in wanted[member.id])
        builders.append((member, shown.response, f"herbot:poll:rsave:{poll_id}:{ranking}"))
    async with world.db.transaction() as tx:
        await engines.refuse(
            tx, "refuse_ballot", "poll_ballots", "INSERT", "refused",
            where=f"NEW.user_id = {victim.id}",
        )  # fmt: skip
    writer = world.bot.get_cog("Polls").ballot_writer
    commits = writer.commits
    records = emit_submits(world.env, builders, {})
    await world.env.settle(timeout=120)

    assert writer.commits - commits < 100  # they shared group commits
    told = {m.id: answer(world, r) for (m, _, _), r in zip(builders, records, strict=True)}
    assert WENT_WRONG in told.pop(victim.id)
    assert all("Your ballot is counted" in text for text in told.values()), told
    stored = await ballot_store.ballots(world.db, poll_id)
    assert stored == {m: r for m, r in wanted.items() if m != victim.id}
