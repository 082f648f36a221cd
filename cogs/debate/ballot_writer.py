"""Group commit for approval and ranked ballots, as ``BatchedVoteWriter`` does for votes.

A burst of members submitting rankings at once would otherwise queue one transaction (and one
commit) each behind the write lock. Whoever finds the writer idle becomes the leader and
writes the ballots waiting at that moment in one transaction, until none are left; a lone
ballot costs what a direct write costs. No timer and no extra task.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.db import Database
from cogs.debate import ballot_store
from cogs.debate.polls import PollError

MAX_GROUP = 128  # ballots per commit: the first of a burst are not kept waiting for the rest

_Previous = tuple[int, ...] | None
_Pending = tuple[int, int, tuple[int, ...], datetime, "asyncio.Future[_Previous]"]


class BallotWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.commits = 0
        self._pending: list[_Pending] = []
        self._busy = False

    async def cast(
        self, poll_id: int, user_id: int, choices: tuple[int, ...], now: datetime
    ) -> _Previous:
        """The member's previous ballot once theirs is committed; PollError if the poll closed."""
        future: asyncio.Future[_Previous] = asyncio.get_running_loop().create_future()
        self._pending.append((poll_id, user_id, choices, now, future))
        if not self._busy:
            self._busy = True
            try:
                await self._drain()
            finally:
                self._busy = False
        return await future

    async def _drain(self) -> None:
        while self._pending:
            group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
            outcomes: list[_Previous | Exception] = [PollError("not written")] * len(group)
            # Rows are written in (poll, member) order, a member's own ballots in arrival
            # order: two processes writing one poll's ballots lock rows in the same order,
            # so PostgreSQL never finds them waiting on each other (a deadlock).
            order = sorted(range(len(group)), key=lambda i: (group[i][0], group[i][1], i))
            try:
                async with self.db.transaction() as tx:
                    for i in order:
                        poll_id, user_id, choices, now, _ = group[i]
                        try:  # a closed poll's ballot writes nothing: the rest still commit
                            outcomes[i] = await ballot_store.cast(
                                tx, poll_id, user_id, choices, now
                            )
                        except PollError as exc:
                            outcomes[i] = exc
                self.commits += 1
            except Exception as exc:  # rolled back: every waiting member hears about it
                outcomes = [exc] * len(group)
            except BaseException:  # the leader was cancelled: nobody may wait forever
                failed = RuntimeError("The ballot could not be written: nothing was counted.")
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
