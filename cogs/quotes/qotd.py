"""Quote of the day: which guilds are due, and when the next one is (pure: no SQL, no discord).

A guild takes part once ``qotd_channel_id`` is set (``/settings set``). It is due when the
UTC time has reached its ``qotd_time`` (guild setting, else settings.toml) and no row for
today exists in ``qotd_posts``. The row is written *before* posting (the primary key is the
lock), and released again only if posting failed, so a restart never double-posts. The rows
and the pick are :mod:`cogs.quotes.qotd_store`'s.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# Don't repeat a quote posted in the last this many days while others are left.
NO_REPEAT_DAYS = 60


@dataclass(frozen=True, slots=True)
class Due:
    guild_id: int
    channel_id: int
    day: str


@dataclass(frozen=True, slots=True)
class Setup:
    """A taking-part guild's settings, and whether today's quote is taken already."""

    guild_id: int
    channel: str  # the setting as stored: a channel id, unless someone stored nonsense
    at: str  # "HH:MM", UTC
    done: bool = False


def day_of(now: datetime) -> str:
    return now.strftime("%Y-%m-%d")


def no_repeat_since(now: datetime) -> str:
    """The first day whose quote is not repeated today."""
    return day_of(now - timedelta(days=NO_REPEAT_DAYS))


def due_now(waiting: Iterable[Setup], now: datetime) -> list[Due]:
    """Of the guilds not posted today, those whose time has come (and have a channel id)."""
    clock = now.strftime("%H:%M")
    return [
        Due(s.guild_id, int(s.channel), day_of(now))
        for s in waiting
        if s.channel.isdigit() and clock >= s.at
    ]


def next_due(setups: Iterable[Setup], now: datetime, skip: Collection[int] = ()) -> datetime | None:
    """When the next quote of the day is due in any guild but ``skip`` (None: none is)."""
    times = []
    for s in setups:
        if s.guild_id in skip:
            continue
        hour, minute = (int(part) for part in s.at.split(":"))
        at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if s.done:
            at += timedelta(days=1)
        times.append(max(at, now))
    return min(times, default=None)
