"""Health, readiness and metrics over HTTP: one small aiohttp server inside the bot process.

Off by default; ``HERBOT_METRICS_ADDR=127.0.0.1:9108`` (or ``[bot] metrics_addr``) turns it
on for ``herbot run``:

- ``GET /healthz``: 200 while the process runs and its database answers ``SELECT 1`` within
  :data:`DB_TIMEOUT`; 503 with the reason otherwise (a container's ``HEALTHCHECK``, a
  service manager's watchdog).
- ``GET /readyz``: 200 when every shard this process owns is connected and READY (or
  RESUMED); 503 with a JSON body naming each shard's state otherwise (a load balancer or an
  orchestrator's readiness probe: the bot is not answering members during a reconnect).
- ``GET /metrics``: the bot's registry in Prometheus' text format (``docs/metrics.md``).

:class:`Readiness` follows discord.py's connection events (``connect``, ``ready``,
``resumed``, ``disconnect`` and their ``shard_*`` forms), which the bot hands it from its
``dispatch``; :func:`gateway_readings` gives ``/metrics`` each shard's latency and state.
The server shares the bot's event loop: a scrape costs one collection of the registry.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.metrics import CONTENT_TYPE, Reading

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

DB_TIMEOUT = 2.0  # seconds /healthz gives the database's SELECT 1

# A shard's states, in the order a connection goes through them.
DISCONNECTED, CONNECTING, READY = "disconnected", "connecting", "ready"
STATES = (DISCONNECTED, CONNECTING, READY)
_EVENTS = {"connect": CONNECTING, "ready": READY, "resumed": READY, "disconnect": DISCONNECTED}


class Readiness:
    """Each owned shard's gateway state, from discord.py's connection events.

    ``connect`` is READY received (guilds still arriving), ``ready`` is discord.py's
    ``on_ready`` (the guilds are in), ``resumed`` a resumed session, ``disconnect`` a lost
    connection (discord.py reconnects by itself). A bot run unsharded reports shard 0 from
    the plain events; a sharded one uses the ``shard_*`` events, which carry the shard id.
    """

    def __init__(self, sharded: bool) -> None:
        self.sharded = sharded
        self._states: dict[int, str] = {}

    def observe(self, event: str, args: Sequence[Any]) -> None:
        if self.sharded:
            if not event.startswith("shard_") or not args or not isinstance(args[0], int):
                return
            state = _EVENTS.get(event.removeprefix("shard_"))
            shard = args[0]
        else:
            state = _EVENTS.get(event)
            shard = 0
        if state is not None and self._states.get(shard) != state:
            log.info("shard %d: gateway %s", shard, state)
            self._states[shard] = state

    def state(self, shard: int) -> str:
        return self._states.get(shard, DISCONNECTED)

    def states(self, shards: Iterable[int]) -> dict[int, str]:
        return {shard: self.state(shard) for shard in shards}


def owned_shards(bot: Herbot) -> tuple[int, ...]:
    """The shards this process connects: every one it was started with (0 unsharded)."""
    if not bot.readiness.sharded:
        return (0,)
    ids = getattr(bot, "shard_ids", None)
    if ids:
        return tuple(sorted(ids))
    return tuple(range(getattr(bot, "shard_count", None) or 1))


def gateway_readings(bot: Herbot) -> list[Reading]:
    """``herbot_gateway_*``: each owned shard's heartbeat latency and connection state."""

    def latency() -> Iterable[tuple[Sequence[str], float]]:
        if bot.readiness.sharded:
            latencies = dict(getattr(bot, "latencies", ()) or ())
        else:
            latencies = {0: bot.latency}
        for shard in owned_shards(bot):
            yield (str(shard),), latencies.get(shard, float("nan"))

    def state() -> Iterable[tuple[Sequence[str], float]]:
        for shard, now in bot.readiness.states(owned_shards(bot)).items():
            for name in STATES:
                yield (str(shard), name), 1.0 if now == name else 0.0

    def guilds() -> Iterable[tuple[Sequence[str], float]]:
        yield (), float(len(bot.guilds))

    return [
        Reading(
            "herbot_gateway_latency_seconds",
            "Time between a heartbeat and its acknowledgement, per shard (NaN before the first)",
            ("shard",),
            latency,
        ),
        Reading(
            "herbot_gateway_state",
            "1 for each shard's current gateway state (disconnected, connecting, ready)",
            ("shard", "state"),
            state,
        ),
        Reading("herbot_guilds", "Guilds this process has in its cache", (), guilds),
    ]


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(data, sort_keys=True), status=status, content_type="application/json"
    )


class OpsServer:
    """``/healthz``, ``/readyz`` and ``/metrics`` for one bot, on ``host:port`` (port 0: any
    free port; :attr:`port` says which)."""

    def __init__(self, bot: Herbot, host: str, port: int) -> None:
        self.bot = bot
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or ()
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("health and metrics at %s (/healthz, /readyz, /metrics)", self.url)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        try:
            answer = await asyncio.wait_for(self.bot.db.fetchval("SELECT 1"), DB_TIMEOUT)
        except TimeoutError:
            return _json({"ok": False, "database": f"no answer within {DB_TIMEOUT:g} s"}, 503)
        except Exception as exc:  # the database refused: say which way, not a traceback
            return _json({"ok": False, "database": f"{type(exc).__name__}: {exc}"}, 503)
        if answer != 1:
            return _json({"ok": False, "database": f"SELECT 1 returned {answer!r}"}, 503)
        return _json({"ok": True, "database": "ok"})

    async def _readyz(self, _request: web.Request) -> web.Response:
        states = self.bot.readiness.states(owned_shards(self.bot))
        if self.bot.is_closed():
            states = dict.fromkeys(states, DISCONNECTED)
        waiting = {str(shard): state for shard, state in states.items() if state != READY}
        body = {"ready": not waiting, "shards": {str(s): v for s, v in states.items()}}
        if waiting:
            body["not_ready"] = waiting
        return _json(body, 200 if not waiting else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        body = self.bot.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
