"""Due work is done at least once and posted exactly once, through any single fault.

A refused post, a close the database refused, a process that died holding the claim:
each is tried again by the scheduler (bot/timers.py) while the bot runs, and the result
reaches the channel once.
"""

from __future__ import annotations

import pytest

from bot import claims
from cogs.polls import store
from cogs.polls.cog import result_key
from tests import cards, engines
from tests.helpers import with_embed_title

HOUR = 3600


def result_cards(channel, poll_id):
    heading = f"### Result of poll #{poll_id}"
    return [m for m in channel.history() if cards.text(m).startswith(heading)]


async def open_poll(world, **options):
    result = await world.mod.slash(world.channel, "poll create", duration="1h", **options)
    assert result.ephemeral and "is open until" in result.response.content, result.response
    message = with_embed_title(world.channel, "Poll #")[-1]
    return int(message.embeds[0].title.split("#")[1].split()[0]), message


async def vote(world, message, kind):
    if kind == "single":
        await world.alice.click(message, label="For")
    elif kind == "approval":
        await world.alice.select(message, values=["0"])
    else:
        shown = await world.alice.click(message, label="Rank the options")
        builder = (await world.alice.click(shown.response, label="For")).response
        await world.alice.click(builder, label="Submit ranking")


@pytest.mark.parametrize("kind", ["single", "approval", "ranked"])
async def test_a_result_post_refused_once_is_posted_by_the_retry(world, kind):
    options = {} if kind == "single" else {"kind": kind}
    poll_id, message = await open_poll(world, motion="altman-misreads-her", **options)
    await vote(world, message, kind)
    world.env.inject_error("POST", f"/channels/{world.channel.id}/messages", status=500)
    await world.env.advance_time(HOUR)  # the deadline: closed, the result's post refused
    assert not (await store.get_poll(world.db, poll_id)).is_open
    assert result_cards(world.channel, poll_id) == []
    assert not await claims.is_done(world.db, result_key(poll_id))
    await world.env.advance_time(5)  # the first retry's backoff
    assert len(result_cards(world.channel, poll_id)) == 1
    assert await claims.is_done(world.db, result_key(poll_id))
    await world.env.advance_time(HOUR)
    await world.restart()  # nothing is posted twice, by this process or the next
    await world.env.advance_time(HOUR)
    assert len(result_cards(world.channel, poll_id)) == 1


async def test_a_result_refused_again_and_again_backs_off_and_posts_when_discord_answers(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her")
    await vote(world, message, "single")
    world.env.inject_error("POST", f"/channels/{world.channel.id}/messages", status=500, times=4)
    await world.env.advance_time(HOUR)
    await world.env.advance_time(5 + 10 + 20)  # three retries, each refused
    assert result_cards(world.channel, poll_id) == []
    await world.env.advance_time(39)
    assert result_cards(world.channel, poll_id) == []  # the fourth waits 40 s
    await world.env.advance_time(1)
    assert len(result_cards(world.channel, poll_id)) == 1


async def test_a_crash_after_the_close_posts_the_result_when_the_lease_runs_out(world):
    """The close committed with its claim, then the process died before posting; the
    service manager restarts it at once, well within the claim's lease."""
    poll_id, message = await open_poll(world, motion="altman-misreads-her")
    await vote(world, message, "single")
    now = world.bot.now()
    async with world.db.transaction() as tx:
        assert await store.close_poll(tx, poll_id, now)
        dead = await claims.claim(tx, result_key(poll_id), owner="a-dead-process", now=now)
        assert dead is not None
    await world.bot.remove_cog("Polls")  # the process is gone: nothing of it posts
    await world.restart()
    assert result_cards(world.channel, poll_id) == []  # the dead owner's lease still runs
    await world.env.advance_time(claims.DEFAULT_LEASE.total_seconds())
    assert len(result_cards(world.channel, poll_id)) == 1
    await world.restart()
    await world.env.advance_time(HOUR)
    assert len(result_cards(world.channel, poll_id)) == 1


async def test_a_deadline_close_refused_once_by_the_database_closes_on_the_retry(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her", live=False)
    await vote(world, message, "single")
    async with world.db.transaction() as tx:
        await engines.refuse(tx, "no_close", "polls", "UPDATE OF closed_at", "disk I/O error")
    await world.env.advance_time(HOUR)  # the deadline's close is refused
    assert (await store.get_poll(world.db, poll_id)).is_open
    async with world.db.transaction() as tx:
        await engines.allow(tx, "no_close", "polls")
    await world.env.advance_time(5)  # the timer's retry
    assert not (await store.get_poll(world.db, poll_id)).is_open
    (card,) = result_cards(world.channel, poll_id)
    assert "**For** — 1 (100%)" in cards.text(card)  # the hidden tally is out
