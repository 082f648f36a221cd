"""Keep simcord's virtual clock in step with the wall clock, and the page with the world.

simcord's clock stands still unless advanced, so poll deadlines, view timeouts and daily
tasks would never fire in the demo. Each :meth:`RealTime.tick` advances it to "start +
real time elapsed" (drift-free: a timer that already moved the clock is not counted twice),
then refreshes the page only if it shows an older world than the current one.

Refreshing when nothing changed is not harmless: every refresh publishes a new page
revision, and an action the browser sends before it has read that revision (a click, a
command) is refused as stale. A page's own action already republishes that page, so the
demo refreshes only for what the page has not seen: timers, other viewers' pages. Ticks
and page actions also take turns (see :class:`PageSync`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
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


class PageSync:
    """The clock's ties to one Preview session: turn-taking, and what each page has seen.

    - Turn-taking: simcord runs one operation at a time per world. A page action that
      arrives while a tick advances the clock is not refused politely (the page loses the
      answer and its composer stays stuck), so page actions and ticks share a lock: either
      waits for the other, a tick takes milliseconds.
    - What each open browser page was last published with (a world fingerprint), so only
      pages that are behind get refreshed.

    simcord has no public hooks for either, so this wraps the session's action entry point
    and publish step and reads its page table. simcord is pinned exactly (pyproject.toml)
    for this and for the page protocol; tests/demo fail if either changes.
    """

    PYTHON_PAGE = "python"  # the Python-side presentation: no browser polls it
    INVISIBLE_ACTIONS = frozenset({"autocomplete_command"})

    def __init__(self, env: Any, preview: Any) -> None:
        self.env = env
        self.preview = preview
        self.lock = asyncio.Lock()
        self.waiting = 0  # page actions waiting for a tick to finish
        self.seen: dict[str, int] = {}
        publish, act = preview._publish, preview._action

        def recording_publish(page: Any, **kwargs: Any) -> None:
            publish(page, **kwargs)
            self.seen[page.id] = world_fingerprint(env)

        async def taking_turns(context_id: Any, body: Any) -> Any:
            self.waiting += 1
            try:
                await self.lock.acquire()
            finally:
                self.waiting -= 1
            try:
                before = world_fingerprint(env)
                current = [page for page, seen in self.seen.items() if seen == before]
                result = await act(context_id, body)
                if body.get("kind") in self.INVISIBLE_ACTIONS:
                    # Autocomplete changes nothing a page shows; refreshing for it (once per
                    # pause in typing) would only disturb the person still composing the
                    # command, so pages that were current stay current.
                    after = world_fingerprint(env)
                    for page in current:
                        self.seen[page] = after
                return result
            finally:
                self.lock.release()

        preview._publish = recording_publish
        preview._action = taking_turns

    def stale_pages(self) -> list[str]:
        current = world_fingerprint(self.env)
        return [
            page_id
            for page_id in tuple(self.preview._pages)
            if page_id != self.PYTHON_PAGE and self.seen.get(page_id) != current
        ]


class RealTime:
    """Drives one Env at wall-clock pace and keeps the watched Preview's pages current."""

    def __init__(self, env: Any, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.env = env
        self.monotonic = monotonic
        self.refreshes = 0
        self._start_real = monotonic()
        self._start_virtual = env.now().timestamp()
        self._sync: PageSync | None = None
        self._alone = asyncio.Lock()  # before any session: nothing to take turns with

    def watch(self, preview: Any) -> None:
        """Keep this (newly entered) Preview session's pages current."""
        self._sync = PageSync(self.env, preview)

    @property
    def lag(self) -> float:
        """Seconds the virtual clock is behind real time."""
        target = self._start_virtual + (self.monotonic() - self._start_real)
        return target - self.env.now().timestamp()

    async def tick(self) -> bool:
        """Advance the clock to real time, then refresh the pages if one is behind.

        Returns whether the pages were refreshed. Page actions wait for the tick (and the
        tick for them); if the session ended meanwhile, the tick does nothing.
        """
        sync = self._sync
        try:
            async with sync.lock if sync is not None else self._alone:
                lag = self.lag
                if lag > 0:
                    await self.env.advance_time(lag)
                if sync is None or not sync.stale_pages():
                    return False
                await sync.preview.refresh()
        except SetupError as exc:  # the session ended, or the bot restarted mid-tick
            log.debug("demo tick skipped: %s", exc)
            return False
        except TimeoutError as exc:  # the bot is still busy; progress so far is kept
            log.warning("the bot did not settle in time (%s); retrying", exc)
            return False
        self.refreshes += 1
        return True
