"""How button votes reach the database: group commits, so a burst shares a few transactions.

:class:`BatchedVoteWriter` collects the votes that arrive while a write is in progress and
stores them together in **one transaction**: per poll one "is it open" check, one read of
earlier choices, one ``executemany`` upsert, then the commit. Every click still gets its own
outcome, and only once the commit has happened: if one member's row is refused, the group is
written again vote by vote (:mod:`bot.group_commit`) and only that member hears the error; if
the transaction cannot commit at all, every click of the group hears it, so nothing is
reported counted that was not kept.
The benchmarks' baseline, one transaction per vote, is ``bench.baselines.DirectVoteWriter``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Protocol

from bot.db import Database, Transaction
from bot.group_commit import GroupCommit
from cogs.polls import polls, store


class VoteWriter(Protocol):
    @property
    def commits(self) -> int: ...

    async def submit(
        self, poll_id: int, user_id: int, position: int, now: datetime
    ) -> polls.VoteOutcome: ...


MAX_GROUP = 128  # votes per group commit (bench/burst.py)

_Vote = tuple[int, int, int, datetime]  # poll, member, position, when
_Outcome = polls.VoteOutcome | Exception


class BatchedVoteWriter:
    """Group commit (:mod:`bot.group_commit`): the first click writes at once; clicks
    arriving meanwhile share the next transaction, per poll one "is it open" check, one read
    of earlier choices and one ``executemany`` upsert."""

    def __init__(self, db: Database) -> None:
        self._group = GroupCommit[_Vote, polls.VoteOutcome](
            db,
            _write,
            max_group=MAX_GROUP,
            cancelled="The vote could not be written: nothing was counted.",
            name="votes",
        )

    @property
    def commits(self) -> int:
        return self._group.commits

    @property
    def groups(self) -> list[int]:
        return self._group.groups

    async def submit(
        self, poll_id: int, user_id: int, position: int, now: datetime
    ) -> polls.VoteOutcome:
        return await self._group.submit((poll_id, user_id, position, now))


async def _write(tx: Transaction, group: list[_Vote]) -> list[_Outcome]:
    """The group's votes in ``tx``; a closed poll's votes are refused, not counted."""
    if len(group) == 1:
        poll_id, user_id, position, now = group[0]
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
