"""How every in-memory cache learns that what it holds changed: one event.

A process keeps some data in memory (the opt-out lists, per-guild settings it read). Every
writer of cached data calls :func:`bump` in the same transaction as its change: the counter
of that name in ``core_cache_versions`` moves with the change, or not at all. Caches learn
of a change one way, the event ``herbot_cache_changed(name, guild_id, key)`` (listeners:
``on_herbot_cache_changed``):

- in this process, once the transaction commits (the bot's :class:`Announcer`, kept in the
  database's runtime, is told by :func:`bump`), with the server and setting when known;
- from other processes: each process started with sharding options runs a
  :class:`CacheWatcher` that reads the counters every ``interval`` seconds (one small query,
  the same on SQLite and PostgreSQL) and dispatches ``herbot_cache_changed(name)`` (no
  server, no key: anything of that name may have changed) for each that moved.

So a change is seen here at once and everywhere within ``interval`` seconds plus the reload's
own time. A single process runs no watcher.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.db import Database, Reader, Transaction

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

EVENT = "herbot_cache_changed"

# The names writers bump; listeners compare against these.
PRIVACY_OPTOUTS = "privacy_optouts"
GUILD_SETTINGS = "guild_settings"

# Where a running bot leaves its announcer in the database's runtime (bot/db.py).
ANNOUNCERS = "cache_sync.announcers"

Announcer = Callable[[str, "int | None", "str | None"], None]


def listen(db: Database, announce: Announcer) -> Callable[[], None]:
    """Have ``announce(name, guild_id, key)`` called after each committed :func:`bump` on
    ``db``; returns the call that stops it (a bot's close)."""
    announcers: list[Announcer] = db.runtime.setdefault(ANNOUNCERS, [])
    announcers.append(announce)

    def stop() -> None:
        if announce in announcers:
            announcers.remove(announce)

    return stop


async def bump(
    tx: Transaction, name: str, *, guild_id: int | None = None, key: str | None = None
) -> None:
    """Move ``name``'s counter inside the transaction that changes what it caches; once it
    commits, this process's caches hear of it (``guild_id``, ``key``: what changed)."""
    await tx.execute(
        "INSERT INTO core_cache_versions (name, version) VALUES (?, 1)"
        " ON CONFLICT (name) DO UPDATE SET version = core_cache_versions.version + 1",
        (name,),
    )
    for announce in tx.runtime.get(ANNOUNCERS, ()):
        tx.after_commit(functools.partial(announce, name, guild_id, key))


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
