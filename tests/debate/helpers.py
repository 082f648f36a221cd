"""Small helpers for the debate behaviour tests (finding the bot's posts in a thread)."""

from __future__ import annotations

from typing import Any


def debate_thread(world: Any) -> Any:
    threads = world.channel.threads
    assert threads, "the debate thread was not opened"
    return threads[-1]


def find(channel: Any, predicate: Any) -> list[Any]:
    return [m for m in channel.history() if predicate(m)]


def with_embed_title(channel: Any, prefix: str) -> list[Any]:
    return find(channel, lambda m: m.embeds and (m.embeds[0].title or "").startswith(prefix))


def texts(channel: Any) -> list[str]:
    return [m.content for m in channel.history() if m.content]


def panel(thread: Any) -> Any:
    found = with_embed_title(thread, "Debate #")
    assert found, "no control panel in the thread"
    return found[0]


def vote_message(thread: Any, which: str) -> Any:
    found = with_embed_title(thread, f"{which.title()}-debate vote")
    assert found, f"no {which}-debate vote in the thread"
    return found[-1]


async def write(db: Any, writer: Any, *args: Any, **kwargs: Any) -> Any:
    """One store writer in its own transaction, as a cog runs it; returns its result."""
    async with db.transaction() as tx:
        return await writer(tx, *args, **kwargs)
