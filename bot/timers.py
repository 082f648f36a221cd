"""One scheduler for every timer in the process: keyed, retried, re-armed on start, claims-aware.

Features never keep a loop or a sleeping task of their own. They ask the bot's
:class:`Scheduler`:

* ``schedule_at(key, when, action)`` runs ``action`` at ``when`` (at once if it is past);
  scheduling a key again replaces its timer, ``cancel(key)`` drops it. An action that raises
  (a database error while closing a poll, Discord refusing a post) is retried with backoff
  (5 s, 10 s, 20 s ... at most 5 minutes) until it succeeds or is re-armed or cancelled.
* ``on_start(rearm)``: after every (re)start the scheduler runs each feature's ``rearm``,
  which schedules again what its tables say is due (deadlines, reminders, speeches).
* ``claimed(prefix, perform)``: due work that must happen once across processes and crashes
  (a poll's result, a speech's "time is up", the quote of the day) is claimed in the database
  (:mod:`bot.claims`) in the transaction that makes it due; :meth:`perform` then does it. The
  claim is finished only when ``perform`` returned, i.e. its post was acknowledged; when it
  raises, the claim's lease is pushed back by the backoff and the **sweep** takes it again.
  The sweep (a timer like any other) retakes every claim whose lease ran out, whoever held it
  (a process that crashed, or this one after a failed post), for the guilds this process
  owns; ``perform`` receives the :class:`~bot.claims.Claim`, whose ``result_id`` is what an
  earlier attempt posted, so a retry edits that message instead of posting again.

Timers are ``discord.ext.tasks`` loops: simcord's virtual clock drives them in tests.
The sweep runs at start and then only when a lease it knows of runs out (one this process
took, postponed after a failure, or found unfinished in the database), so an idle bot has
no timer ticking. A process that crashed is restarted by its service manager and sweeps at
its start: its shard's unfinished claims are then retaken when their leases run out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import discord
from discord.ext import tasks

from bot import claims
from bot.background import Background
from bot.db import Database, Transaction

log = logging.getLogger(__name__)

Action = Callable[[], Awaitable[None]]
Timer = tasks.Loop[Any] | asyncio.Task[None]
# Does the claimed work; returns what it posted (a message id) or None; raises to retry.
Perform = Callable[[str, claims.Claim], Awaitable[int | None]]

RETRY_FIRST = timedelta(seconds=5)
RETRY_MAX = timedelta(minutes=5)
MIN_SWEEP_GAP = timedelta(seconds=1)
SWEEP_KEY = "core:sweep"


def backoff(attempt: int) -> timedelta:
    """How long to wait before try ``attempt + 1`` (attempt 1 failed: 5 s; then doubling)."""
    return min(RETRY_FIRST * 2 ** max(0, min(attempt - 1, 16)), RETRY_MAX)


class Scheduler:
    def __init__(
        self,
        db: Database,
        *,
        owner: str,
        owns_guild: Callable[[int | None], bool],
        now: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.owner = owner  # this process's name in claims
        self._owns_guild = owns_guild
        self._now = now
        self._timers: dict[str, Timer] = {}  # a waiting loop, or a task already due
        self._due: dict[str, datetime] = {}
        self._failures: dict[str, int] = {}
        self._kinds: dict[str, Perform] = {}
        self._starters: list[Action] = []
        self._background = Background()
        self._started = False

    # ----------------------------------------------------------------------- timers

    def schedule_at(self, key: str, when: datetime, action: Action) -> None:
        """Run ``action`` at ``when`` (at once if past); replaces the key's timer."""
        self._drop(key)
        delay = (when - self._now()).total_seconds()
        if delay <= 0:  # due now: run it at once, as a task (its key still cancels it)
            self._due[key] = when
            self._timers[key] = task = self._background.spawn(
                self._fire(key, lambda: task, action), f"timer {key}"
            )
            return

        async def wait_then_fire() -> None:
            if timer.current_loop == 0:
                return  # the first iteration starts the wait; the second one fires
            await self._fire(key, lambda: timer, action)

        # An ext.tasks loop of two iterations, `delay` apart: its sleep is the one kind of
        # timer simcord's virtual clock holds until advance_time() (a plain sleep may fire
        # in real time while a test settles), and discord.py keeps it exact in production.
        timer = tasks.loop(seconds=delay, count=2, reconnect=False, name=f"timer {key}")(
            wait_then_fire
        )
        self._timers[key] = timer
        self._due[key] = when
        timer.start()

    def cancel(self, key: str) -> None:
        self._drop(key)
        self._failures.pop(key, None)

    def cancel_prefix(self, prefix: str) -> None:
        """Drop every timer whose key starts with ``prefix`` (a cog unloading)."""
        for key in [k for k in self._timers if k.startswith(prefix)]:
            self.cancel(key)

    def due_at(self, key: str) -> datetime | None:
        """When the key's timer fires; None when nothing is scheduled under it."""
        return self._due.get(key) if key in self._timers else None

    def _drop(self, key: str) -> None:
        old = self._timers.pop(key, None)
        self._due.pop(key, None)
        task = old.get_task() if isinstance(old, tasks.Loop) else old
        if old is not None and task is not asyncio.current_task():
            old.cancel()  # (a timer re-arming itself from its action just ends)

    async def _fire(self, key: str, timer: Callable[[], Timer], action: Action) -> None:
        metrics = self.db.metrics
        if self._timers.get(key) is timer():
            del self._timers[key]
            due = self._due.pop(key, None)
            if due is not None and metrics is not None:
                metrics.scheduler_lag.observe(max(0.0, (self._now() - due).total_seconds()))
        try:
            await action()
        except asyncio.CancelledError:
            raise
        except Exception:
            if metrics is not None:
                metrics.timer_failures.labels(claims.key_kind(key)).inc()
            attempt = self._failures[key] = self._failures.get(key, 0) + 1
            retry = self._now() + backoff(attempt)
            log.exception("timer %s failed (attempt %d): trying again at %s", key, attempt, retry)
            if key not in self._timers:  # the action did not re-arm itself before failing
                self.schedule_at(key, retry, action)
        else:
            self._failures.pop(key, None)

    # ------------------------------------------------------------------- (re)start

    def on_start(self, rearm: Action) -> None:
        """Run ``rearm`` after every start (at once if the scheduler already started)."""
        self._starters.append(rearm)
        if self._started:
            self._background.spawn(self._run_starter(rearm), "timer re-arm")

    def start(self) -> None:
        """Re-arm every feature's timers, then sweep for claims left unfinished."""
        if self._started:
            return
        self._started = True
        self._background.spawn(self._start(), "timer start")

    async def _start(self) -> None:
        for rearm in list(self._starters):
            await self._run_starter(rearm)
        self.schedule_at(SWEEP_KEY, self._now(), self.sweep)

    @staticmethod
    async def _run_starter(rearm: Action) -> None:
        try:
            await rearm()
        except Exception:
            log.exception("re-arming timers failed (%s)", getattr(rearm, "__qualname__", rearm))

    def stop(self) -> None:
        self._background.cancel_all()
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._due.clear()
        self._started = False

    # ---------------------------------------------------------------- claimed work

    def claimed(self, prefix: str, perform: Perform) -> None:
        """Claims whose key starts with ``prefix`` are done by ``perform`` (and swept)."""
        self._kinds[prefix] = perform

    async def take(
        self,
        tx: Transaction,
        key: str,
        guild_id: int | None,
        lease: timedelta = claims.DEFAULT_LEASE,
    ) -> claims.Claim | None:
        """Claim ``key`` for this process in ``tx`` (the transaction that makes it due)."""
        now = self._now()
        taken = await claims.claim(
            tx, key, owner=self.owner, now=now, guild_id=guild_id, lease=lease
        )
        if taken is not None:  # should this process stall past the lease, a sweep retakes it
            tx.after_commit(lambda: self._sweep_by(now + lease + MIN_SWEEP_GAP))
        return taken

    async def perform(self, key: str, claim: claims.Claim, work: Perform | None = None) -> bool:
        """Do claimed work now: finished when it returned, retried (swept) when it raised.

        ``work`` does this first attempt instead of the kind's ``perform`` (which the sweep
        uses for every retry): the live path may know more than a key says.
        """
        perform = work or self._perform_for(key)
        try:
            result_id = await perform(key, claim)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            wait = backoff(claim.attempts)
            retry = self._now() + wait
            log.warning(
                "%s failed (attempt %d: %s): trying again at %s",
                key,
                claim.attempts,
                exc,
                retry,
                exc_info=not isinstance(exc, discord.HTTPException),
            )
            async with self.db.transaction() as tx:
                await claims.postpone(tx, key, self.owner, retry)
            self._sweep_by(retry)
            return False
        async with self.db.transaction() as tx:
            if result_id is not None:
                await claims.set_result(tx, key, self.owner, result_id)
            await claims.finish(tx, key, self.owner, self._now())
        return True

    def _perform_for(self, key: str) -> Perform:
        for prefix, perform in self._kinds.items():
            if key.startswith(prefix):
                return perform
        raise LookupError(f"no feature does claimed work {key!r} (Scheduler.claimed)")

    def _sweep_by(self, when: datetime) -> None:
        """Make the next sweep come no later than ``when``."""
        due = self.due_at(SWEEP_KEY)
        if self._started and (due is None or when < due):
            self.schedule_at(SWEEP_KEY, when, self.sweep)

    async def sweep(self) -> None:
        """Retake every claim whose lease ran out, for this process's guilds; arm the next."""
        now = self._now()
        for prefix in list(self._kinds):
            for left in await claims.expired(self.db, prefix, now):
                if not self._owns_guild(left.guild_id):
                    continue  # another process runs that guild's shard
                async with self.db.transaction() as tx:
                    taken = await self.take(tx, left.key, left.guild_id)
                if taken is not None:
                    log.info("taking %s again (attempt %d)", left.key, taken.attempts)
                    await self.perform(left.key, taken)
        now = self._now()
        upcoming = await claims.next_expiry(self.db, now)
        if upcoming is not None:
            self._sweep_by(max(upcoming, now + MIN_SWEEP_GAP))
