"""Several processes on one database: timers fire once, votes count once (docs/scaling.md).

Runs on both engines: on SQLite the processes share one file, on PostgreSQL one database
(``make test-postgres``).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import discord

from bot import cache_sync, claims
from bot.prepare import prepare_database
from bot.shards import ShardSet, parse_ids, shard_of
from cogs.polls import store
from cogs.polls.cog import result_key
from cogs.polls.writer import BatchedVoteWriter
from tests import cards
from tests.conftest import build_world
from tests.debate.test_debate_cog import count, ctl, start
from tests.helpers import with_embed_title, write
from tests.scale.conftest import SHARDS

HOUR = 3600


def results(channel, poll_id: int) -> list:
    heading = f"### Result of poll #{poll_id}"
    return [m for m in channel.history() if cards.text(m).startswith(heading)]


def community(env, name: str, shard_id: int):
    guild = env.create_guild(name, shard_id=shard_id)
    channel = guild.create_text_channel("general")
    mod_role = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member(env.create_user(f"mod-{name}"), roles=[mod_role])
    return guild, channel, mod


async def open_poll(mod, channel, duration: str = "1h") -> int:
    answer = await mod.slash(
        channel, "poll create", motion="Is Samantha a person?", duration=duration
    )
    assert "is open until" in answer.response.content
    message = with_embed_title(channel, "Poll #")[-1]
    return int(message.embeds[0].title.split("#")[1].split()[0])


def test_shard_sets():
    assert ShardSet.of(None, None).owns(123) and not ShardSet.of(None, None).sharded
    two = ShardSet.of(4, parse_ids("0-1"))
    assert two.ids == (0, 1) and two.sharded and not two.everything
    ids = [(n << 22) | 5 for n in range(4)]
    assert [two.owns(g) for g in ids] == [True, True, False, False]
    assert [shard_of(g, 4) for g in ids] == [0, 1, 2, 3]
    assert two.owns(None)  # work of no guild: shard 0's process
    assert not ShardSet.of(4, (2, 3)).owns(None)


async def test_a_claim_is_taken_once_and_retaken_after_its_lease_runs_out(db):
    now = discord.utils.utcnow()
    async with db.transaction() as tx:
        first = await claims.claim(tx, "work:1", owner="a", now=now, guild_id=7)
        again = await claims.claim(tx, "work:1", owner="b", now=now, guild_id=7)
    assert first is not None and first.attempts == 1 and again is None
    assert await claims.expired(db, "work:", now) == []
    later = now + claims.DEFAULT_LEASE + timedelta(seconds=1)
    (left,) = await claims.expired(db, "work:", later)
    assert (left.key, left.guild_id, left.result_id) == ("work:1", 7, None)
    async with db.transaction() as tx:
        assert await claims.set_result(tx, "work:1", "a", 555)  # a posted, then died
        retaken = await claims.claim(tx, "work:1", owner="b", now=later)
        assert not await claims.finish(tx, "work:1", "a", later)  # a lost it
        assert await claims.finish(tx, "work:1", "b", later)
    assert retaken is not None and retaken.result_id == 555 and retaken.attempts == 2
    async with db.transaction() as tx:
        assert await claims.claim(tx, "work:1", owner="c", now=later + timedelta(days=1)) is None
        await claims.claim(tx, "work:2", owner="a", now=now)
        assert await claims.release(tx, "work:2", "a")  # a failed post gives it back
        assert await claims.claim(tx, "work:2", owner="b", now=now) is not None
    assert await claims.is_done(db, "work:1") and not await claims.is_done(db, "work:2")


async def test_deadlines_due_while_a_process_is_stopped_fire_once_after_its_restart(
    processes, simcord_env
):
    env = simcord_env
    await env.bot.tree.sync()
    _, channel0, mod0 = community(env, "shard zero", 0)
    _, channel1, mod1 = community(env, "shard one", 1)
    poll0 = await open_poll(mod0, channel0)  # process A (shard 0) runs its deadline

    await processes.switch(1)  # A stops; process B (shard 1) runs
    poll1 = await open_poll(mod1, channel1)
    await env.advance_time(2 * HOUR)
    assert len(results(channel1, poll1)) == 1  # B's own deadline
    assert results(channel0, poll0) == []  # A's: not B's to fire
    assert (await store.get_poll(env.bot.db, poll0)).is_open

    await processes.switch(0)  # A is back: the deadline passed while it was away
    await env.advance_time(5)
    assert len(results(channel0, poll0)) == 1
    assert not (await store.get_poll(env.bot.db, poll0)).is_open
    await processes.switch(0)  # and a second restart posts nothing again
    await env.advance_time(2 * HOUR)
    assert len(results(channel0, poll0)) == 1 and len(results(channel1, poll1)) == 1
    assert await claims.is_done(env.bot.db, result_key(poll0))


async def test_a_result_whose_poster_died_is_posted_once_after_the_lease(processes, simcord_env):
    env = simcord_env
    await env.bot.tree.sync()
    guild, channel, mod = community(env, "crashy", 0)
    poll_id = await open_poll(mod, channel, duration="2h")
    now = env.bot.now()
    # Another process closed the poll and claimed its result, then died before posting.
    async with env.bot.db.transaction() as tx:
        assert await store.close_poll(tx, poll_id, now, None)
        await claims.claim(tx, result_key(poll_id), owner="dead", now=now, guild_id=guild.id)
    await processes.switch(0)  # started within the dead process's lease: not taken yet
    assert results(channel, poll_id) == []
    await env.advance_time(claims.DEFAULT_LEASE.total_seconds() + 1)
    await processes.switch(0)
    await env.advance_time(5)
    assert len(results(channel, poll_id)) == 1
    await processes.switch(0)
    await env.advance_time(5)
    assert len(results(channel, poll_id)) == 1


async def test_votes_through_two_processes_count_once_per_member(db, settings):
    """Two processes' vote writers (each its own connection) take the same members' clicks."""
    poll_id = await write(
        db,
        store.create_poll,
        guild_id=1,
        channel_id=2,
        question="Her or Ex Machina?",
        options=("Her", "Ex Machina"),
        created_by=3,
        now=discord.utils.utcnow(),
        live=True,
        kind="poll",
    )
    other = await prepare_database(settings)  # the second process's connection
    try:
        a, b = BatchedVoteWriter(db), BatchedVoteWriter(other)
        members = range(100, 160)
        now = discord.utils.utcnow()
        clicks = [a.submit(poll_id, m, m % 2, now) for m in members]
        clicks += [b.submit(poll_id, m, (m + 1) % 2, now) for m in members]  # again, via B
        clicks += [a.submit(poll_id, m, 0, now) for m in members[:10]]
        await asyncio.gather(*clicks)
        tally = await store.tally(db, poll_id)
        assert tally.total == len(members)
        rows = await db.fetchval("SELECT COUNT(*) FROM poll_votes WHERE poll_id = ?", (poll_id,))
        assert rows == len(members)
    finally:
        await other.close()


async def test_a_change_in_one_process_reaches_the_others_cache_watcher(db, settings):
    seen: list[str] = []

    class Bot:  # what CacheWatcher needs of a bot
        def __init__(self, conn):
            self.db = conn

    other = await prepare_database(settings)
    try:
        watcher = cache_sync.CacheWatcher(
            Bot(other), 5.0, dispatch=lambda _event, name: seen.append(name)
        )
        assert await watcher.check() == []  # the first look only remembers
        from bot import guild_settings, privacy

        async with db.transaction() as tx:
            await guild_settings.set_value(tx, 42, "qotd_time", "10:00")
            await privacy.record_opt_out(tx, 9, "record")
        assert await watcher.check() == ["guild_settings", "privacy_optouts"]
        assert await watcher.check() == []
        assert seen == ["guild_settings", "privacy_optouts"]
    finally:
        await other.close()


async def test_a_speech_ending_while_its_process_is_stopped_is_announced_once(
    processes, simcord_env, settings, extra_connections
):
    world = await build_world(simcord_env, settings, extra_connections)
    owner = shard_of(world.guild.id, SHARDS)
    await processes.switch(owner)
    thread = await start(world)
    await ctl(world.bob, thread, "Speak For")
    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    await processes.switch(1 - owner)  # the guild's process stops; the other one runs
    await simcord_env.advance_time(900)
    assert count(thread, "Time is up") == 0  # not the other process's guild
    await processes.switch(owner)
    assert count(thread, f"Time is up for <@{world.bob.id}>") == 1
    assert count(thread, "(noticed after a restart)") == 1
    await processes.switch(owner)
    await simcord_env.advance_time(600)
    assert count(thread, "Time is up") == 1


def test_run_refuses_shard_options_that_do_not_fit(monkeypatch, tmp_path, capsys):
    from bot.cli import main

    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("HERBOT_DB", str(tmp_path / "cli.db"))
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--shard-ids", "0"]) == 2
    assert "--shard-ids needs --shard-count" in capsys.readouterr().err
    assert main(["run", "--shard-count", "2", "--shard-ids", "0,2"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
    url = "postgresql://herbot@127.0.0.1:9/herbot"  # several processes: PostgreSQL's
    assert main(["run", "--db", url, "--shard-count", "2", "--shard-ids", "1"]) == 2  # fits
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err
    monkeypatch.setenv("HERBOT_SHARD_COUNT", "0")
    assert main(["run"]) == 2
    assert "HERBOT_SHARD_COUNT" in capsys.readouterr().err
