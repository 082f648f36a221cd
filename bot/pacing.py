"""How often a message may be edited: Discord's per-channel edit budget, kept by the bot.

Discord lets a bot edit messages in one channel about 5 times per 5 seconds; beyond that it
answers 429 and discord.py waits, so every later edit (and every click answered with one)
queues behind the limit. The debate panel is redrawn on every queue join, phase and pause:
a crowd pressing *Speak For* at once would be such a queue. :class:`EditBudget` says when the
next edit may go out; the cog draws at once while the budget lasts and otherwise schedules
one trailing redraw that shows the latest state (no click waits for it).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

EDITS = 5
WINDOW = timedelta(seconds=5)


class EditBudget:
    """At most ``edits`` edits per ``window`` for each key (a debate's thread)."""

    def __init__(self, edits: int = EDITS, window: timedelta = WINDOW) -> None:
        self.edits = edits
        self.window = window
        self._spent: dict[int, deque[datetime]] = {}

    def wait(self, key: int, now: datetime) -> float:
        """Seconds until an edit for ``key`` may go out (0: now)."""
        spent = self._spent.get(key)
        if not spent:
            return 0.0
        while spent and now - spent[0] >= self.window:
            spent.popleft()
        if len(spent) < self.edits:
            return 0.0
        return (spent[0] + self.window - now).total_seconds()

    def spend(self, key: int, now: datetime) -> None:
        self._spent.setdefault(key, deque()).append(now)

    def forget(self, key: int) -> None:
        self._spent.pop(key, None)
