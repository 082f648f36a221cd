"""How button votes reach the database: one transaction per vote, or group commits for bursts.

:class:`BatchedVoteWriter` collects the votes that arrive while a write is in progress and
stores them together in **one transaction**: per poll one "is it open" check, one read of
earlier choices, one ``executemany`` upsert, then the commit. Every click still gets its own
outcome, and only once the commit has happened: if the transaction fails, every click of the
group hears the error, so nothing is reported counted that was not kept.
:class:`DirectVoteWriter` is the plain baseline the benchmark compares against.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from typing import Protocol

from bot.db import Database, Transaction
from cogs.debate import polls, store


class VoteWriter(Protocol):
    commits: int

    async def submit(
        self, poll_id: int, user_id: int, position: int, now: datetime
    ) -> polls.VoteOutcome: ...


class DirectVoteWriter:
    """One transaction (and one commit) per vote."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.commits = 0

    async def submit(
        self, poll_id: int, user_id: int, position: int, now: datetime
    ) -> polls.VoteOutcome:
        async with self.db.transaction() as tx:
            outcome = await store.vote(tx, poll_id, user_id, position, now)
        self.commits += 1
        return outcome


MAX_GROUP = 128  # votes per group commit (bench/burst.py)

_Pending = tuple[int, int, int, datetime, "asyncio.Future[polls.VoteOutcome]"]
_Outcome = polls.VoteOutcome | Exception


class BatchedVoteWriter:
    """Group commit: the first click writes at once; clicks arriving meanwhile share the next.

    No timer and no extra task: whoever finds the writer idle becomes the leader and writes
    until the queue is empty, so a lone click costs what a direct write costs.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.commits = 0
        self.groups: list[int] = []
        self._pending: list[_Pending] = []
        self._busy = False

    async def submit(
        self, poll_id: int, user_id: int, position: int, now: datetime
    ) -> polls.VoteOutcome:
        future: asyncio.Future[polls.VoteOutcome] = asyncio.get_running_loop().create_future()
        self._pending.append((poll_id, user_id, position, now, future))
        if not self._busy:
            self._busy = True
            try:
                await self._drain()
            finally:
                self._busy = False
        return await future

    async def _drain(self) -> None:
        while self._pending:
            # A bounded group: the first clicks of a burst are answered after a small commit,
            # not after one that holds the whole burst.
            group = self._pending[:MAX_GROUP]
            self._pending = self._pending[MAX_GROUP:]
            self.groups.append(len(group))
            try:
                async with self.db.transaction() as tx:
                    outcomes = await self._write(tx, group)
                self.commits += 1
            except Exception as exc:  # rolled back: every waiting click hears about it
                outcomes = [exc] * len(group)
            except BaseException:  # the leader was cancelled: nobody may wait forever
                failed = RuntimeError("The vote could not be written: nothing was counted.")
                for *_, future in group + self._pending:
                    if not future.done():
                        future.set_exception(failed)
                self._pending = []
                raise
            for (*_, future), outcome in zip(group, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def _write(self, tx: Transaction, group: list[_Pending]) -> list[_Outcome]:
        """The group's votes in ``tx``; a closed poll's votes are refused, not counted."""
        if len(group) == 1:
            poll_id, user_id, position, now, _ = group[0]
            try:
                return [await store.vote(tx, poll_id, user_id, position, now)]
            except polls.PollError as exc:  # nothing was written: the group's commit is empty
                return [exc]
        by_poll: dict[int, list[int]] = defaultdict(list)
        for index, (poll_id, *_rest) in enumerate(group):
            by_poll[poll_id].append(index)
        outcomes: list[_Outcome] = [Exception("not written")] * len(group)
        for poll_id, indexes in by_poll.items():
            votes = [(group[i][1], group[i][2], group[i][3]) for i in indexes]
            written = await store.vote_many(tx, poll_id, votes)
            for n, i in enumerate(indexes):
                outcomes[i] = polls.PollError(polls.CLOSED) if written is None else written[n]
        return outcomes
