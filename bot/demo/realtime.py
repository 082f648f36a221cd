"""Keep simcord's virtual clock in step with the wall clock, and the page with the world.

simcord's clock stands still unless advanced, so poll deadlines, view timeouts and daily
tasks would never fire in the demo. Each :meth:`RealTime.tick` advances it to "start +
real time elapsed" (drift-free: a timer that already moved the clock is not counted twice),
then republishes the page only if the bot or Discord did something since the last
publication. Refreshing on every tick would make the page's clicks fail: a browser action
that arrives while a refresh runs is refused as busy.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from simcord import SetupError

log = logging.getLogger(__name__)

TICK_SECONDS = 0.5


def world_fingerprint(env: Any) -> int:
    """How many things have happened in the world: every REST call and gateway event.

    Cheap (a list length), and it moves whenever anything a page shows could have changed:
    messages sent, edited or deleted, interaction responses, votes, poll results.
    """
    return len(env.backend.transcript)


@dataclass
class RealTime:
    """Drives one Env in real time; ``refresh`` republishes the page(s) showing it."""

    env: Any
    refresh: Callable[[], Awaitable[None]]
    monotonic: Callable[[], float] = time.monotonic
    refreshes: int = 0
    _start_real: float = field(init=False)
    _start_virtual: float = field(init=False)
    _published: int = field(init=False)

    def __post_init__(self) -> None:
        self._start_real = self.monotonic()
        self._start_virtual = self.env.now().timestamp()
        self._published = world_fingerprint(self.env)

    def rebind(self, refresh: Callable[[], Awaitable[None]]) -> None:
        """Publish to a new page session; it starts from the current world."""
        self.refresh = refresh
        self._published = world_fingerprint(self.env)

    @property
    def lag(self) -> float:
        """Seconds the virtual clock is behind real time."""
        target = self._start_virtual + (self.monotonic() - self._start_real)
        return target - self.env.now().timestamp()

    async def tick(self) -> bool:
        """Advance the clock to real time, then refresh if the world changed.

        Returns whether the page was refreshed. A tick that meets another operation in
        flight (a click being handled) does nothing: the next tick catches up.
        """
        try:
            lag = self.lag
            if lag > 0:
                await self.env.advance_time(lag)
            current = world_fingerprint(self.env)
            if current == self._published:
                return False
            await self.refresh()
        except SetupError as exc:  # an overlapping page action, or the session ended
            log.debug("demo tick skipped: %s", exc)
            return False
        except TimeoutError as exc:  # the bot is still busy; progress so far is kept
            log.warning("the bot did not settle in time (%s); retrying", exc)
            return False
        self._published = world_fingerprint(self.env)
        self.refreshes += 1
        return True
