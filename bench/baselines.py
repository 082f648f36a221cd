"""What the benchmarks measure against, kept here rather than as production settings.

* :class:`DirectVoteWriter`: one transaction (and one commit) per vote, the baseline of
  ``bench/votes.py`` against the bot's group commits (``cogs.polls.writer``).
* ``python -m bench.baselines run ...``: ``herbot`` with the vote fast lane turned off, every
  click through discord.py's DynamicItem path: the baseline process of ``bench/burst.py``.
* ``python -m bench.baselines --eager-model run ...``: ``herbot`` loading /ask's model as it
  did before ``bench/memory.py`` (:func:`eager_model`): the baseline process of that bench.
"""

from __future__ import annotations

import sys
from datetime import datetime

from bot.db import Database
from cogs.polls import polls, store


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


def without_fast_lane() -> None:
    """Every click through the DynamicItem path: the lane takes no prefix."""
    from bot.fastlane import FastLane

    FastLane.add = lambda self, prefix, handler: None  # type: ignore[method-assign]


def eager_model() -> None:
    """Placeholder until the change: today's loading path is the production one."""


if __name__ == "__main__":
    from bot.cli import main

    args = sys.argv[1:]
    if args[:1] == ["--eager-model"]:
        eager_model()
        args = args[1:]
    else:
        without_fast_lane()
    sys.exit(main(args))
