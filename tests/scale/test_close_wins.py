"""Closing wins across processes: a vote counts only if it is in the published tally.

Two processes on one PostgreSQL database (the bot, and a second ``Database`` standing for
another process's connection), their transactions interleaved by hand: one holds its write
open while the other closes or votes, and the test waits until the second is blocked on the
first (``pg_locks``) before letting the first commit. READ COMMITTED alone lets a vote whose
``WHERE EXISTS (... closed_at IS NULL)`` ran before the close committed land after the
result was counted; the vote's ``FOR SHARE`` on the poll row makes the close wait for it
(``cogs/polls/store.py``). On SQLite one writer at a time makes the race impossible.
"""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.prepare import prepare_database
from cogs.polls import ballot_store, polls, store
from tests import cards
from tests.helpers import with_embed_title
from tests.polls.test_poll_kinds import rank

pytestmark = pytest.mark.postgres_only

LATE = 424_242_424_242  # the member whose vote arrives through the other process


async def open_poll(world, **options):
    result = await world.mod.slash(world.channel, "poll create", **options)
    assert "is open until" in result.response.content, result.response
    message = with_embed_title(world.channel, "Poll #")[-1]
    return int(message.embeds[0].title.split("#")[1].split()[0]), message


async def someone_waits_for_a_lock(db, task: asyncio.Task) -> None:
    """Until another session waits on a row lock, or ``task`` ended without waiting."""
    while not task.done():
        waiting = await db.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted")
        if waiting:
            return
        await asyncio.sleep(0)


def result_text(channel, poll_id: int) -> str:
    heading = f"### Result of poll #{poll_id}"
    (card,) = [m for m in channel.history() if cards.text(m).startswith(heading)]
    return cards.text(card)


async def held_open(db, write, started: asyncio.Event, release: asyncio.Event):
    """``write(tx)`` in a transaction of ``db`` that commits only once ``release`` is set."""
    async with db.transaction() as tx:
        outcome = await write(tx)
        started.set()
        await release.wait()
    return outcome


@pytest.mark.parametrize("kind", ["single", "ranked"])
async def test_a_vote_in_flight_when_another_process_closes_is_in_the_published_result(
    world, settings, extra_connections, kind
):
    poll_id, message = await open_poll(
        world, motion="Her or Ex Machina?", options="Her; Ex Machina", kind=kind
    )
    if kind == "single":
        for member in world.members:
            await member.click(message, label="Her")
    else:
        for member in world.members:
            answer = await rank(member, message, ["Her", "Ex Machina"])
            assert "ballot is counted" in answer.content
    other = await prepare_database(settings)  # the second process's connection
    extra_connections.append(other)

    async def vote(tx):
        if kind == "single":
            return await store.vote(tx, poll_id, LATE, 1, world.bot.now())
        return await ballot_store.cast(tx, poll_id, LATE, (1, 0), world.bot.now())

    started, release = asyncio.Event(), asyncio.Event()
    late = asyncio.create_task(held_open(other, vote, started, release))
    await started.wait()  # the vote is written, not yet committed
    polls_cog = world.bot.get_cog("Polls")
    close = asyncio.create_task(polls_cog.close_poll(poll_id, world.mod.id))
    await someone_waits_for_a_lock(world.db, close)  # the close waits for the vote
    release.set()
    outcome = await late  # the member was told their vote counted: it must be published
    assert await close
    if kind == "single":
        assert outcome == polls.VoteOutcome(None, 1)
        held = (await store.tally(world.db, poll_id)).total
        assert f"-# {held} votes" in result_text(world.channel, poll_id)
    else:
        assert outcome is None  # a first ballot
        held = await ballot_store.count(world.db, poll_id)
        assert f"-# {held} ballots" in result_text(world.channel, poll_id)
    assert held == 4


@pytest.mark.parametrize("kind", ["single", "ranked"])
async def test_a_vote_arriving_while_another_process_closes_is_refused(
    world, settings, extra_connections, kind
):
    poll_id, message = await open_poll(
        world, motion="Her or Ex Machina?", options="Her; Ex Machina", kind=kind
    )
    other = await prepare_database(settings)
    extra_connections.append(other)

    async def close(tx):
        return await store.close_poll(tx, poll_id, discord.utils.utcnow(), world.mod.id)

    started, release = asyncio.Event(), asyncio.Event()
    closing = asyncio.create_task(held_open(other, close, started, release))
    await started.wait()  # closed in the other process, not yet committed
    if kind == "single":
        late = asyncio.create_task(world.alice.click(message, label="Ex Machina"))
    else:
        late = asyncio.create_task(rank(world.alice, message, ["Ex Machina", "Her"]))
    await someone_waits_for_a_lock(world.db, late)  # the vote waits for the close
    release.set()
    assert await closing
    answer = await late
    content = answer.response.content if kind == "single" else answer.content
    assert "closed" in content and "not counted" in content
    assert (await store.tally(world.db, poll_id)).total == 0
    assert await ballot_store.count(world.db, poll_id) == 0
