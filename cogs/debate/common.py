"""Helpers both debate cogs share: domain refusals as user errors, background tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Iterator
from typing import Any

from bot.errors import UserError
from cogs.debate import machine
from cogs.debate.debates import DebateError
from cogs.debate.polls import PollError

log = logging.getLogger(__name__)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Domain refusals become the ephemeral answer a member reads."""
    try:
        yield
    except (PollError, DebateError, machine.TransitionError, ValueError) as exc:
        raise UserError(str(exc)) from exc


def split_options(text: str) -> list[str]:
    """ "A; B; C" (or "A | B", or "A, B") -> ["A", "B", "C"]."""
    sep = ";" if ";" in text else "|" if "|" in text else ","
    return [part.strip() for part in text.split(sep) if part.strip()]


class Background:
    """The cog's background tasks: logged when they fail, all cancelled on unload."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(self._logged(coro, name), name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    @staticmethod
    async def _logged(coro: Coroutine[Any, Any, Any], name: str) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background task %s failed", name)

    def cancel_all(self) -> None:
        for task in list(self.tasks):
            task.cancel()
