"""Group commit: items that arrive while a write is in progress share the next transaction.

A burst of clicks would otherwise queue one transaction (and one commit) each behind the
write lock. Whoever finds the committer idle becomes the leader and writes the items waiting
at that moment in one transaction, at most ``max_group`` at a time (the first of a burst are
answered after a small commit, not after one holding the whole burst), until none are left.
No timer and no extra task: a lone item costs what a direct write costs.

Each item gets its own outcome, and only once its group has committed. If the group's
transaction fails (one member's row refused, say), it is rolled back and the group is written
again in one new transaction, each item in its own savepoint: the item that fails again hears
its own error and leaves nothing behind, the others are kept and told so. If that transaction
fails as a whole (the commit, or the database gone), every item of the group hears the error:
nothing is reported kept that was not. The features say how a group is written (``write``);
the core owns the transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from bot.db import Database, Transaction

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")

# Writes a group in ``tx``: one outcome per item, in order; an Exception outcome fails that
# item only (it must have written nothing: use a savepoint or a guard in the SQL).
GroupWriter = Callable[[Transaction, list[Item]], Awaitable[Sequence[Outcome | Exception]]]


class GroupCommit(Generic[Item, Outcome]):
    def __init__(
        self,
        db: Database,
        write: GroupWriter[Item, Outcome],
        *,
        max_group: int = 128,
        cancelled: str = "Nothing was written: try again.",
        name: str = "group",
    ) -> None:
        self.db = db
        self.name = name  # its label in herbot_group_commit_size (bot/metrics.py)
        self._write = write
        self.max_group = max_group
        self._cancelled = cancelled  # what waiting members hear if the leader is cancelled
        self.commits = 0
        self.groups: list[int] = []  # the size of each group written (tests, benchmarks)
        self.retried = 0  # groups written again item by item after their transaction failed
        self._pending: list[tuple[Item, asyncio.Future[Outcome]]] = []
        self._busy = False

    async def submit(self, item: Item) -> Outcome:
        """The item's outcome once its group committed; its exception if it failed."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if not self._busy:
            self._busy = True
            try:
                await self._drain()
            finally:
                self._busy = False
        return await future

    async def _drain(self) -> None:
        while self._pending:
            group = self._pending[: self.max_group]
            self._pending = self._pending[self.max_group :]
            self.groups.append(len(group))
            if self.db.metrics is not None:
                self.db.metrics.group_size.labels(self.name).observe(len(group))
            items = [item for item, _ in group]
            outcomes: Sequence[Outcome | Exception]
            try:
                try:
                    async with self.db.transaction() as tx:
                        outcomes = await self._write(tx, items)
                    self.commits += 1
                except Exception as exc:  # rolled back: isolate the item that failed it
                    if len(group) == 1:
                        raise
                    log.warning("a group of %d failed (%r): item by item", len(group), exc)
                    outcomes = await self._one_by_one(items)
            except Exception as exc:  # nothing was kept: every waiting item hears about it
                outcomes = [exc] * len(group)
            except BaseException:  # the leader was cancelled: nobody may wait forever
                failed = RuntimeError(self._cancelled)
                for _, future in group + self._pending:
                    if not future.done():
                        future.set_exception(failed)
                self._pending = []
                raise
            for (_, future), outcome in zip(group, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def _one_by_one(self, items: list[Item]) -> list[Outcome | Exception]:
        """The group again in one transaction, each item in a savepoint of its own."""
        self.retried += 1
        if self.db.metrics is not None:
            self.db.metrics.group_retries.labels(self.name).inc()
        outcomes: list[Outcome | Exception] = []
        async with self.db.transaction() as tx:
            for item in items:
                try:
                    async with tx.savepoint():
                        (outcome,) = await self._write(tx, [item])
                except Exception as exc:  # undone to the savepoint: the rest go on
                    outcome = exc
                outcomes.append(outcome)
        self.commits += 1
        return outcomes
