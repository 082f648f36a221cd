"""Caches that follow the database when several processes share it.

A process keeps some data in memory (the opt-out lists, the approved quotes /ask searches,
per-guild settings it read). When another process changes that data, this one must notice.
Every writer of cached data calls :func:`bump` in the same transaction as its change: the
counter of that name in ``core_cache_versions`` moves with the change, or not at all. Each
process started with sharding options runs a :class:`CacheWatcher` that reads the counters
every ``interval`` seconds (one small query, the same on SQLite and PostgreSQL) and
dispatches ``herbot_cache_changed(name)`` for each that moved; the features' listeners
reload what they cache. So a change is seen everywhere within ``interval`` seconds plus the
reload's own time. A single process needs no watcher: it updates its caches itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.db import Reader, Transaction

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

EVENT = "herbot_cache_changed"

# The names writers bump; listeners compare against these.
PRIVACY_OPTOUTS = "privacy_optouts"
GUILD_SETTINGS = "guild_settings"
QUOTES = "quotes"


async def bump(tx: Transaction, name: str) -> None:
    """Move ``name``'s counter inside the transaction that changes what it caches."""
    await tx.execute(
        "INSERT INTO core_cache_versions (name, version) VALUES (?, 1)"
        " ON CONFLICT (name) DO UPDATE SET version = core_cache_versions.version + 1",
        (name,),
    )


async def versions(db: Reader) -> dict[str, int]:
    rows = await db.fetchall("SELECT name, version FROM core_cache_versions")
    return {str(r[0]): int(r[1]) for r in rows}


class CacheWatcher:
    """Polls the counters; dispatches one event per counter that moved since the last look."""

    def __init__(self, bot: Herbot, interval: float, dispatch: Callable[..., Any] | None = None):
        self.bot = bot
        self.interval = interval
        self._dispatch = dispatch or bot.dispatch
        self._seen: dict[str, int] | None = None
        from discord.ext import tasks  # here: the writers' bump() is used without discord

        self._loop = tasks.loop(seconds=interval)(self.check)

    def start(self) -> None:
        if not self._loop.is_running():
            self._loop.start()

    def stop(self) -> None:
        self._loop.cancel()

    async def check(self) -> list[str]:
        """One look: the names whose counter moved (none on the first look)."""
        try:
            now = await versions(self.bot.db)
        except Exception:
            log.exception("cache version check failed; trying again next interval")
            return []
        before, self._seen = self._seen, now
        if before is None:
            return []
        moved = sorted(n for n, v in now.items() if before.get(n) != v)
        for name in moved:
            log.debug("cache %s changed in another process", name)
            self._dispatch(EVENT, name)  # listeners: on_herbot_cache_changed
        return moved
