"""The ecosystem's speed-ups for the click-to-callback path, and the switch that turns them off.

Measured with ``bench/burst.py`` (the bot as its own process against a loopback fake
Discord): what a burst of button clicks costs is the bot's own CPU per click, not storage.
Three things help measurably and are on by default (``[bot] speedups = true``):

* **uvloop** runs the event loop (sockets, callbacks and timers in C) for a command that asks
  for it (``fast_loop``: ``herbot run``, which answers the bursts). Every other command runs
  on the standard library's loop: simcord, the simulated Discord, needs that loop's timer
  heap, and a one-shot command gains nothing from uvloop;
* **orjson** parses and writes discord.py's JSON (discord.py uses it when installed, the
  ``speed`` extra's main part; zstd, Brotli and aiodns are left out: the gateway's
  decompression and DNS were under 1 % of a burst's CPU);
* **a bounded HTTP connection pool**: discord.py's default connector has no limit, so a burst
  of 1,000 interaction callbacks opens up to 1,000 connections (1,000 TLS handshakes against
  Discord) instead of reusing a few dozen kept-alive ones.

* **a fair gateway reader**: discord.py's reader handles every frame already buffered before
  it lets another task run (aiohttp's ``receive`` returns without suspending when a frame is
  waiting), so during a burst no click is answered until the whole burst has been read: the
  answers came in one late wave. Yielding to the loop after each frame lets the answers to
  earlier clicks go out while later ones are still arriving.

``speedups = false`` (or ``HERBOT_SPEEDUPS=0``) runs the plain stack: the benchmark's baseline,
or a way to rule the speed-ups out when debugging.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # imported where used: `herbot ask` and the other CLI jobs never load them
    import aiohttp

log = logging.getLogger(__name__)

T = TypeVar("T")

# Interaction callbacks are exempt from Discord's global rate limit; 64 kept-alive connections
# answer a 1,000-click burst without a connection per click (bench/burst.py).
HTTP_CONNECTIONS = 64
SWITCH_INTERVAL = 0.0005  # seconds


def run(main: Coroutine[Any, Any, T], *, enabled: bool, fast_loop: bool) -> T:
    """``asyncio.run``: on uvloop when speed-ups are ``enabled``, the caller asks for the
    ``fast_loop`` and uvloop is installed; on the standard library's loop otherwise."""
    if not enabled:
        _plain_json()
        return asyncio.run(main)
    # The database driver runs statements in a thread: with the default 5 ms switch
    # interval, a busy event loop keeps it from the GIL for up to 5 ms per statement.
    sys.setswitchinterval(SWITCH_INTERVAL)
    if fast_loop:
        try:
            import uvloop
        except ImportError:  # pragma: no cover - uvloop is a dependency on Linux and macOS
            log.info("uvloop is not installed: running on asyncio's own loop")
        else:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(main)
    return asyncio.run(main)


def http_connector(enabled: bool) -> aiohttp.BaseConnector | None:
    """The connector discord.py's HTTP client should use; None keeps discord.py's default."""
    if not enabled:
        return None
    import aiohttp

    return aiohttp.TCPConnector(limit=HTTP_CONNECTIONS, limit_per_host=HTTP_CONNECTIONS)


def fair_gateway() -> None:
    """Let other tasks run after each gateway frame (idempotent; the real gateway only)."""
    from discord.gateway import DiscordWebSocket

    if getattr(DiscordWebSocket.poll_event, "_herbot_fair", False):
        return
    original = DiscordWebSocket.poll_event

    async def poll_event(self: DiscordWebSocket) -> None:
        await original(self)
        await asyncio.sleep(0)  # the answers to earlier clicks go out between frames

    poll_event._herbot_fair = True  # type: ignore[attr-defined]
    DiscordWebSocket.poll_event = poll_event  # type: ignore[method-assign]


def _plain_json() -> None:
    """discord.py with the standard library's json, as without the speed extra."""
    import discord

    utils: Any = discord.utils
    utils._from_json = json.loads
    utils._to_json = lambda obj: json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
