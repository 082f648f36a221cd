"""Catch-up with several shard processes: the process running a guild's shard catches its
recorded conversations up, once; the others leave them (tests/scale/conftest.py)."""

from __future__ import annotations

from typing import Any

from tests.scale.test_processes import community


async def recorded(world_env: Any, name: str, shard_id: int) -> tuple[Any, Any]:
    guild, channel, mod = community(world_env, name, shard_id)
    member = guild.add_member(world_env.create_user(f"member-{name}"))
    answer = await mod.slash(channel, "record start")
    assert "Recording started" in answer.response.content
    return channel, member


async def recovered(env: Any, channel: Any) -> list[str]:
    rows = await env.bot.db.fetchall(
        "SELECT v.content FROM recorded_messages m JOIN recorded_versions v USING (message_id) "
        "WHERE m.channel_id = ? AND m.recovered = 1 ORDER BY m.message_id",
        (channel.id,),
    )
    return [r[0] for r in rows]


async def test_each_guild_is_caught_up_by_its_shard_owner_once(processes, simcord_env):
    env = simcord_env
    await env.bot.tree.sync()
    channel0, member0 = await recorded(env, "shard zero", 0)
    channel1, member1 = await recorded(env, "shard one", 1)
    await member0.send(channel0, "live on zero")
    await member1.send(channel1, "live on one")
    await env.bot.get_cog("ThreadRecording").recorder.flush()  # kept live

    env.backend.subscribers.remove(env._gateway_feed)  # every process is down
    await member0.send(channel0, "missed on zero")
    await member1.send(channel1, "missed on one")

    await processes.switch(0)  # shard 0's process: its guild only
    assert await recovered(env, channel0) == ["missed on zero"]
    assert await recovered(env, channel1) == []
    pending = await env.bot.db.fetchall("SELECT channel_id FROM recording_catchup")
    assert [r[0] for r in pending] == [channel1.id]  # waiting for its owner

    await processes.switch(1)  # shard 1's process picks its gap up
    assert await recovered(env, channel1) == ["missed on one"]
    await processes.switch(0)  # and a restart stores nothing twice
    assert await recovered(env, channel0) == ["missed on zero"]
    count = await env.bot.db.fetchval("SELECT COUNT(*) FROM recorded_messages")
    assert count == 4
