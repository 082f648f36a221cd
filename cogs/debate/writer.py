"""How button votes reach SQLite: one commit per vote, or group commits for bursts.

:class:`BatchedVoteWriter` collects the votes that arrive while a write is in progress and
stores them together: per poll one "is it open" check, one read of earlier choices, one
``executemany`` upsert, then a single commit for the whole group. Every click still gets its
own outcome. :class:`DirectVoteWriter` is the plain baseline the benchmark compares against.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from typing import Protocol

import aiosqlite

from cogs.debate import polls
from cogs.debate.clock import iso


class VoteWriter(Protocol):
    async def submit(
        self, poll_id: int, user_id: int, position: int, now: datetime
    ) -> polls.VoteOutcome: ...


class DirectVoteWriter:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        self.commits = 0

    async def submit(
        self, poll_id: int, user_id: int, position: int, now: datetime
    ) -> polls.VoteOutcome:
        outcome = await polls.vote(self.db, poll_id, user_id, position, now)
        self.commits += 1
        return outcome


_Pending = tuple[int, int, int, datetime, "asyncio.Future[polls.VoteOutcome]"]


class BatchedVoteWriter:
    """Group commit: the first click writes at once; clicks arriving meanwhile share the next.

    No timer and no extra task: whoever finds the writer idle becomes the leader and writes
    until the queue is empty, so a lone click costs what a direct write costs.
    """

    def __init__(self, db: aiosqlite.Connection) -> None:
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
            group, self._pending = self._pending, []
            self.groups.append(len(group))
            try:
                outcomes = await self._write(group)
            except Exception as exc:  # every waiting click hears about it
                await self.db.rollback()
                outcomes = [exc] * len(group)
            for (*_, future), outcome in zip(group, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def _write(self, group: list[_Pending]) -> list[polls.VoteOutcome | Exception]:
        if len(group) == 1:
            poll_id, user_id, position, now, _ = group[0]
            try:
                outcome = await polls.vote(self.db, poll_id, user_id, position, now)
            except polls.PollError as exc:
                return [exc]
            finally:
                self.commits += 1
            return [outcome]
        by_poll: dict[int, list[int]] = defaultdict(list)
        for index, (poll_id, *_rest) in enumerate(group):
            by_poll[poll_id].append(index)
        outcomes: list[polls.VoteOutcome | Exception] = [Exception("not written")] * len(group)
        for poll_id, indexes in by_poll.items():
            async with self.db.execute(
                "SELECT closed_at IS NULL FROM polls WHERE id = ?", (poll_id,)
            ) as cur:
                row = await cur.fetchone()
            if row is None or not row[0]:
                for i in indexes:
                    outcomes[i] = polls.PollError("This poll is closed: your vote was not counted.")
                continue
            users = sorted({group[i][1] for i in indexes})
            marks = ",".join("?" * len(users))
            async with self.db.execute(
                f"SELECT user_id, position FROM poll_votes WHERE poll_id = ?"
                f" AND user_id IN ({marks})",
                (poll_id, *users),
            ) as cur:
                current = {int(u): int(p) for u, p in await cur.fetchall()}
            rows = []
            for i in indexes:
                _, user_id, position, now, _ = group[i]
                outcomes[i] = polls.VoteOutcome(current.get(user_id), position)
                current[user_id] = position  # a second click in the same group sees the first
                rows.append((poll_id, user_id, position, iso(now), poll_id))
            written = await self.db.executemany(polls.UPSERT_VOTE, rows)
            if written.rowcount == 0:  # closed since the check: the upsert's guard held
                for i in indexes:
                    outcomes[i] = polls.PollError("This poll is closed: your vote was not counted.")
        await self.db.commit()
        self.commits += 1
        return outcomes
