"""Group commit for approval and ranked ballots (:mod:`bot.group_commit`), as
``BatchedVoteWriter`` does for votes: a burst of members submitting rankings at once shares
a few transactions instead of queuing one commit each behind the write lock.
"""

from __future__ import annotations

from datetime import datetime

from bot.db import Database, Transaction
from bot.group_commit import GroupCommit
from cogs.polls import ballot_store
from cogs.polls.polls import PollError

MAX_GROUP = 128  # ballots per commit: the first of a burst are not kept waiting for the rest

_Previous = tuple[int, ...] | None
_Ballot = tuple[int, int, tuple[int, ...], datetime]  # poll, member, ranking, when


class BallotWriter:
    def __init__(self, db: Database) -> None:
        self._group = GroupCommit[_Ballot, _Previous](
            db,
            _write,
            max_group=MAX_GROUP,
            cancelled="The ballot could not be written: nothing was counted.",
            name="ballots",
        )

    @property
    def commits(self) -> int:
        return self._group.commits

    async def cast(
        self, poll_id: int, user_id: int, choices: tuple[int, ...], now: datetime
    ) -> _Previous:
        """The member's previous ballot once theirs is committed; PollError if the poll closed."""
        return await self._group.submit((poll_id, user_id, choices, now))


async def _write(tx: Transaction, group: list[_Ballot]) -> list[_Previous | Exception]:
    outcomes: list[_Previous | Exception] = [PollError("not written")] * len(group)
    # Rows are written in (poll, member) order, a member's own ballots in arrival order: two
    # processes writing one poll's ballots lock rows in the same order, so PostgreSQL never
    # finds them waiting on each other (a deadlock).
    for i in sorted(range(len(group)), key=lambda i: (group[i][0], group[i][1], i)):
        poll_id, user_id, choices, now = group[i]
        try:  # a closed poll's ballot writes nothing: the rest still commit
            outcomes[i] = await ballot_store.cast(tx, poll_id, user_id, choices, now)
        except PollError as exc:
            outcomes[i] = exc
    return outcomes
