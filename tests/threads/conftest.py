"""Helpers for thread-recording tests: a real thread created through the bot's REST."""

from __future__ import annotations

from typing import Any

import discord
import pytest_asyncio

from cogs.threads.recording.cog import ThreadRecording


def cog(world: Any) -> ThreadRecording:
    # By name: unloading the extension (a clean shutdown) re-imports its modules.
    found = world.bot.get_cog("ThreadRecording")
    assert found is not None
    return found


async def make_thread(world: Any, name: str = "Is Samantha a person?") -> Any:
    """A public thread under #general, as a handle members can send into."""
    parent = world.bot.get_channel(world.channel.id)
    thread = await parent.create_thread(name=name, type=discord.ChannelType.public_thread)
    await world.env.settle()
    return next(t for t in world.channel.threads if t.id == thread.id)


async def export(world: Any, member: Any, where: Any, fmt: str, **options: Any) -> list[Any]:
    """Run /transcript export and return the attachments of the reply."""
    result = await member.slash(
        where, "transcript export", thread=str(where.id), format=fmt, **options
    )
    assert result.ephemeral
    return result.response.attachments


async def flush(world: Any) -> None:
    await cog(world).recorder.flush()


async def write(db: Any, writer: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one store writer in its own transaction; returns what it returned (committed)."""
    async with db.transaction() as tx:
        return await writer(tx, *args, **kwargs)


@pytest_asyncio.fixture
async def thread(world: Any) -> Any:
    return await make_thread(world)


@pytest_asyncio.fixture
async def recorded(world: Any, thread: Any) -> Any:
    result = await world.mod.slash(thread, "record start")
    assert "Recording started" in result.response.content
    return thread
