"""Helpers for thread-recording tests: a real thread created through the bot's REST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest_asyncio

from cogs.threads import records
from cogs.threads.recording import store
from cogs.threads.recording.cog import ThreadRecording
from cogs.threads.records import MessageRecord


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


# -- shared by the recording and transcripts tests ---------------------------------------

T0 = datetime(2026, 2, 14, 18, 0, tzinfo=UTC)
CHANNEL = 500


def msg(i: int, text: str | None = None, author: int = 1, **kw) -> MessageRecord:
    at = T0 + timedelta(seconds=i)
    return MessageRecord(
        message_id=records.snowflake_at(at) + i % 1000,
        channel_id=CHANNEL,
        guild_id=9,
        author_id=author,
        author_name=f"user{author}",
        created_at=at,
        content=text if text is not None else f"message number {i}",
        **kw,
    )


async def start(db, channel=CHANNEL, **changes):
    """A moderator's recording of ``channel`` (``changes``: other columns, or the store's
    ``restart_stopped``); the recording."""
    rec, _ = await start_recording(db, channel, **changes)
    return rec


async def start_recording(db, channel=CHANNEL, **changes):
    """``store.start_recording`` with the usual values: (recording, whether it started)."""
    values = {
        "guild_id": 9,
        "name": "Her, the ending",
        "parent_id": None,
        "reason": "manual",
        "started_by": 1,
        "now": T0 - timedelta(minutes=1),
    }
    return await write(db, store.start_recording, channel_id=channel, **(values | changes))


async def scalar(db, sql, *params):
    async with db.execute(sql, params) as cur:
        return (await cur.fetchone())[0]


async def rows(world: Any, sql: str, *params: Any) -> list[tuple]:
    async with world.db.execute(sql, params) as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def rows_of(db: Any, sql: str, *params: Any) -> list[tuple]:
    """Rows of a query on a database (no simcord world)."""
    async with db.execute(sql, params) as cur:
        return [tuple(r) for r in await cur.fetchall()]
