"""Waiting on a real ``herbot run`` process: conditions, never a fixed sleep.

These tests drive separate processes against ``bench/_fake_discord.py``, so simcord's
virtual clock cannot move them: each wait polls a condition (a row kept, a log line, an
endpoint's answer) every 0.1 s up to a generous bound, and fails naming what it waited for
and the process's log.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

READY = "ready as herbot in "  # bot/app.py logs it once the gateway is ready with its guilds


async def until(condition: Callable[[], Any], seconds: float, what: str, log: Path) -> Any:
    """What ``condition`` (plain or async) returned once truthy; fails after ``seconds``."""
    for _ in range(int(seconds * 10)):
        found = condition()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} within {seconds:g} s; the bot's log: {log}")


def log_has(log: Path, text: str, times: int = 1) -> bool:
    try:
        return log.read_text(errors="replace").count(text) >= times
    except FileNotFoundError:
        return False


async def ready(log: Path, times: int = 1, seconds: float = 180) -> None:
    """The ``times``-th process writing to ``log`` is ready (connected, its guilds in)."""
    await until(lambda: log_has(log, READY, times), seconds, "the bot was ready", log)
