"""What the benchmarks measure against, kept here rather than as production settings.

* :class:`DirectVoteWriter`: one transaction (and one commit) per vote, the baseline of
  ``bench/votes.py`` against the bot's group commits (``cogs.polls.writer``).
* ``python -m bench.baselines run ...``: ``herbot`` with the vote fast lane turned off, every
  click through discord.py's DynamicItem path: the baseline process of ``bench/burst.py``.
* ``python -m bench.baselines --memory-before run ...``: ``herbot`` holding /ask's model as
  it did before ``bench/memory.py`` (:func:`memory_before`): the baseline of that bench.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np

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


def memory_before() -> None:
    """herbot's memory as before ``bench/memory.py``: every weight read into the process.

    The safetensors file copied in (not mapped), the adapter merged into a full copy at
    load, the numpy encoder's transposed float32 layers built at load and kept beside the
    onnxruntime session, no pages dropped nor heap trimmed, matplotlib imported at start.
    """
    import matplotlib.figure
    import matplotlib.ticker  # noqa: F401
    from safetensors.numpy import load_file

    from cogs.quotes.ask import adapter, embedder

    def copied(self: adapter.Adapter, weights: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        merged = dict(weights)
        for name, (a, b) in self.factors.items():
            merged[name] = (merged[name] + np.float32(self.scale) * (b @ a)).astype(np.float32)
        return merged

    init = embedder.MiniLM.__init__

    def eager(self: embedder.MiniLM, tokenizer: Any, weights: Mapping[str, np.ndarray]) -> None:
        init(self, tokenizer, weights)
        assert self._layers  # built at load, as before

    embedder.read_weights = lambda path: load_file(str(path))  # type: ignore[assignment]
    adapter.Adapter.view = copied  # type: ignore[method-assign]
    embedder.MiniLM.__init__ = eager  # type: ignore[method-assign]
    embedder.MiniLM.drop_pages = lambda self: None  # type: ignore[method-assign]
    embedder.trim_heap = lambda: None


if __name__ == "__main__":
    from bot.cli import main

    args = sys.argv[1:]
    if args[:1] == ["--memory-before"]:
        memory_before()
        args = args[1:]
    else:
        without_fast_lane()
    sys.exit(main(args))
