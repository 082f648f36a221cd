"""Small helpers for the debate behaviour tests (finding the bot's posts in a thread)."""

from __future__ import annotations

from typing import Any

import discord


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


def layout_texts(message: Any) -> list[str]:
    """Every TextDisplay's text in a Components V2 message, in reading order."""
    found: list[str] = []

    def walk(components: Any) -> None:
        for component in components or ():
            if getattr(component, "type", None) == discord.ComponentType.text_display:
                found.append(component.content)
            walk(getattr(component, "children", None))
            accessory = getattr(component, "accessory", None)
            if accessory is not None:
                walk([accessory])

    walk(message.components)
    return found


def panel(thread: Any) -> Any:
    found = find(thread, lambda m: any(t.startswith("## Debate #") for t in layout_texts(m)))
    assert found, "no control panel in the thread"
    return found[-1]


def panel_text(thread: Any) -> str:
    """What the live panel says (all its text), for assertions."""
    return "\n".join(layout_texts(panel(thread)))


def vote_message(thread: Any, which: str) -> Any:
    found = with_embed_title(thread, f"{which.title()}-debate vote")
    assert found, f"no {which}-debate vote in the thread"
    return found[-1]


async def write(db: Any, writer: Any, *args: Any, **kwargs: Any) -> Any:
    """One store writer in its own transaction, as a cog runs it; returns its result."""
    async with db.transaction() as tx:
        return await writer(tx, *args, **kwargs)
