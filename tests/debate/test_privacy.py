"""Forget-me and failed writes through the real bot: nothing of a member stays or is half-kept.

The last tests drive the store and the vote writer directly on a real database.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import DatabaseError, IntegrityError
from cogs.debate import store
from cogs.polls import polls
from cogs.polls import store as poll_store
from cogs.polls.writer import BatchedVoteWriter
from tests.helpers import debate_thread, panel, vote_message, with_embed_title, write

TABLES = ("polls", "poll_options", "poll_votes", "debates", "debate_queue", "debate_events")
QUESTION = "Is Samantha a product?"


async def open_poll(world, **options):
    result = await world.mod.slash(world.channel, "poll create", **options)
    assert "is open until" in result.response.content
    message = with_embed_title(world.channel, "Poll #")[-1]
    return int(message.embeds[0].title.split("#")[1].split()[0]), message


async def forget_me(member, channel):
    shown = await member.slash(channel, "privacy forget-me")
    done = await member.click(shown.response, label="Yes, delete my data")
    return done.response.content


async def traces(db, user_id: int, words: str | None = None) -> list[str]:
    """Every cell of the feature's tables that holds the member's id or their words."""
    found = []
    for table in TABLES:
        for row in await db.fetchall(f"SELECT * FROM {table}"):
            for column, value in zip(row.keys(), row, strict=True):
                if value == user_id or value == str(user_id):
                    found.append(f"{table}.{column} = id")
                elif isinstance(value, str) and (
                    (words is not None and words in value) or str(user_id) in value
                ):
                    found.append(f"{table}.{column} holds their words or id")
    return found


async def test_forget_me_leaves_nothing_of_the_member_in_debate_tables(world):
    alice, mod = world.alice, world.mod
    closed_id, closed_msg = await open_poll(world, motion="altman-misreads-her", public=True)
    open_id, open_msg = await open_poll(world, motion="altman-misreads-her")
    for message in (closed_msg, open_msg):
        await alice.click(message, label="For")
        await world.bob.click(message, label="Against")
    await mod.slash(world.channel, "poll close", poll=closed_id)
    await mod.slash(world.channel, "debate schedule", motion="altman-misreads-her", start="in 2h")

    # Alice waits to speak, asks a question and has the floor with it.
    await mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    thread = debate_thread(world)
    await alice.click(vote_message(thread, "pre"), label="Against")
    await alice.click(panel(thread), label="Speak For")
    shown = await alice.click(panel(thread), label="Ask a question")
    await alice.submit_modal(shown, {"question": QUESTION})
    for _ in range(4):  # to the audience questions
        await mod.click(panel(thread), label="Next phase")
    await mod.click(panel(thread), label="Call next")
    debate = await store.get_debate(world.db, 1)
    assert debate.state.speaker_id == alice.id and debate.question_text == QUESTION
    assert await traces(world.db, alice.id, QUESTION)

    status = await alice.slash(world.channel, "privacy status")
    assert "1 vote in open polls" in status.response.content
    assert "2 votes in closed polls" in status.response.content  # the public one, the pre-vote

    done = await forget_me(alice, world.channel)
    assert "Removed 1 vote in open polls" in done
    assert "2 votes in closed polls (kept in the counts without your name)" in done
    assert "2 places and questions in debate queues" in done
    assert "1 poll or debate you ran or spoke in (your name taken off)" in done
    assert await traces(world.db, alice.id, QUESTION) == []

    done = await forget_me(mod, world.channel)
    assert "polls and debates you ran or spoke in (your name taken off)" in done
    assert await traces(world.db, mod.id) == []

    # The published counts stay; the export names her a former member, never by id.
    assert (await poll_store.tally(world.db, closed_id)).counts == (1, 1, 0)
    assert (await poll_store.tally(world.db, open_id)).counts == (0, 1, 0)
    export = await mod.slash(world.channel, "poll export", poll=closed_id, format="json")
    text = (await export.response.attachments[0].read()).decode()
    votes = json.loads(text)["votes"]
    assert {"user_id": polls.FORMER_MEMBER, "option": "For"} in votes
    assert {"user_id": str(world.bob.id), "option": "Against"} in votes
    assert str(alice.id) not in text
    after = await alice.slash(world.channel, "privacy status")
    assert "**Kept about you now:** nothing" in after.response.content
    # The debate goes on without her: the floor is free, the stale panel copy cannot undo it.
    debate = await store.get_debate(world.db, 1)
    assert debate.state.speaker_id is None and debate.question_text is None
    assert debate.moderator_id == 0
    world.user_errors()


async def test_forget_me_keeps_a_finished_debate_paired_without_names(world):
    await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    thread = debate_thread(world)
    voters = [world.alice, world.bob, world.members[2]]
    for member, label in zip(voters, ("Undecided", "Against", "For"), strict=True):
        await member.click(vote_message(thread, "pre"), label=label)
    for _ in range(7):
        await world.mod.click(panel(thread), label="Next phase")
    for member, label in zip(voters, ("For", "Against", "For"), strict=True):
        await member.click(vote_message(thread, "post"), label=label)
    await world.mod.click(panel(thread), label="Next phase")
    shown = await world.bob.slash(world.channel, "debate results", debate=1)
    result = shown.response.embeds[0]

    await forget_me(world.alice, world.channel)
    await forget_me(world.bob, world.channel)

    again = (await world.bob.slash(world.channel, "debate results", debate=1)).response.embeds[0]
    assert [(f.name, f.value) for f in again.fields] == [(f.name, f.value) for f in result.fields]
    assert "3 members voted both times" in again.fields[0].name
    debate = await store.get_debate(world.db, 1)
    pre = await poll_store.ballots(world.db, debate.pre_poll_id)
    post = await poll_store.ballots(world.db, debate.post_poll_id)
    former = sorted(u for u in pre if u < 0)
    assert len(former) == 2 and former == sorted(u for u in post if u < 0)  # one id each
    assert world.alice.id not in pre and world.bob.id not in post
    assert with_embed_title(thread, "Debate #1 result")


async def test_a_vote_whose_transaction_failed_is_not_reported_counted(world, monkeypatch):
    poll_id, message = await open_poll(world, motion="altman-misreads-her")
    real_vote = poll_store.vote

    async def vote_then_fail(tx, *args):
        await real_vote(tx, *args)  # the row is written in the transaction ...
        raise DatabaseError("disk I/O error")  # ... and the transaction fails before COMMIT

    monkeypatch.setattr(poll_store, "vote", vote_then_fail)
    failed = await world.alice.click(message, label="For")
    assert "counted" not in failed.response.content
    assert "went wrong" in failed.response.content
    assert await world.db.fetchval("SELECT count(*) FROM poll_votes") == 0

    monkeypatch.setattr(poll_store, "vote", real_vote)
    ok = await world.alice.click(message, label="For")
    assert "is counted" in ok.response.content  # counted now, not "already voted"
    assert (await poll_store.tally(world.db, poll_id)).counts == (1, 0, 0)


async def test_a_refused_poll_leaves_no_row(world):
    refused = await world.mod.slash(
        world.channel, "poll create", motion="Best line?", options="Only one"
    )
    assert refused.ephemeral and "2 to 10" in refused.response.content
    assert await world.db.fetchval("SELECT count(*) FROM polls") == 0
    assert await world.db.fetchval("SELECT count(*) FROM poll_options") == 0
    world.user_errors()


NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


async def test_a_failed_vote_group_answers_every_click_with_the_error(db):
    async def new_poll(options):
        return await write(
            db,
            poll_store.create_poll,
            guild_id=1,
            channel_id=2,
            question="Q?",
            options=options,
            created_by=9,
            now=NOW,
            closes_at=NOW + timedelta(hours=1),
        )

    a, b = await new_poll(["For", "Against", "Undecided"]), await new_poll(["Yes", "No"])
    writer = BatchedVoteWriter(db)
    alone, *group = await asyncio.gather(
        writer.submit(a, 1, 0, NOW),  # written alone, committed
        writer.submit(a, 2, 1, NOW),  # these three share one transaction ...
        writer.submit(b, 3, 0, NOW),
        writer.submit(b, 4, 5, NOW),  # ... which option 5 (no such option) fails
        return_exceptions=True,
    )
    assert writer.groups == [1, 3] and writer.commits == 1
    assert alone == polls.VoteOutcome(None, 0)
    assert all(isinstance(outcome, IntegrityError) for outcome in group), group
    assert (await poll_store.tally(db, a)).counts == (1, 0, 0)
    assert (await poll_store.tally(db, b)).counts == (0, 0)


@pytest.mark.parametrize("closed", [False, True])
async def test_forget_returns_what_it_did_and_surrogates_never_collide(db, closed):
    pid = await write(
        db,
        poll_store.create_poll,
        guild_id=1,
        channel_id=2,
        question="Q?",
        options=["Yes", "No"],
        created_by=7,
        now=NOW,
    )
    for user in (7, 8):
        await write(db, poll_store.vote, pid, user, 0, NOW)
    if closed:
        await write(db, poll_store.close_poll, pid, NOW, 8)
    for user in (7, 8):
        async with db.transaction() as tx:
            counts = await poll_store.forget(tx, user)
        assert counts[poll_store.OPEN_VOTES] == (0 if closed else 1)
        assert counts[poll_store.CLOSED_VOTES] == (1 if closed else 0)
        assert counts[poll_store.RAN] == (1 if user == 7 or closed else 0)
    kept = await poll_store.ballots(db, pid)
    assert len(kept) == (2 if closed else 0) and all(u < 0 for u in kept)
    for user in (7, 8):
        assert sum((await poll_store.status(db, user)).values()) == 0
