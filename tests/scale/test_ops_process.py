"""A real ``herbot run`` with the health endpoint on, against the loopback fake Discord
(``bench/_fake_discord.py``): the counters at ``/metrics`` move after a slash command and a
click, ``/readyz`` goes false when the fake drops the gateway and true again once the bot
has RESUMEd, and every line the process logs with ``HERBOT_LOG_FORMAT=json`` is a JSON object.

The process picks its own free port (``HERBOT_METRICS_ADDR=127.0.0.1:0``) and says which in
its log, as an operator would read it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench import _fake_discord as fake
from bench.burst import _prepare_database
from bot.config import Settings
from bot.context import FIELDS
from tests.scale.waits import until

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _start(server: fake.FakeDiscord, target: str, log: Path) -> subprocess.Popen[bytes]:
    where = {"HERBOT_DATABASE_URL": target} if "://" in target else {"HERBOT_DB": target}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HERBOT_", "DISCORD_"))},
        **where,
        "DISCORD_TOKEN": "bench.fake.token",
        "DISCORD_API_BASE": server.api_base,
        "DISCORD_GATEWAY_URL": server.gateway_url,
        "HERBOT_METRICS_ADDR": "127.0.0.1:0",
        "HERBOT_LOG_FORMAT": "json",
    }
    herbot = Path(sys.executable).with_name("herbot")
    out = log.open("ab")
    return subprocess.Popen([str(herbot), "run"], env=env, cwd=ROOT, stdout=out, stderr=out)


def _records(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def _scrape(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_endpoints_of_a_real_process_follow_commands_and_the_gateway(
    settings: Settings, tmp_path: Path
):
    target = str(settings.database)
    poll_id, message = await _prepare_database(target)
    server = fake.FakeDiscord()
    await server.start()
    log = tmp_path / "herbot.log"
    bot = _start(server, target, log)
    try:
        await until(server.identified.is_set, 180, "the process connected", log)

        def served() -> str | None:
            for record in _records(log):
                found = re.match(r"health and metrics at (\S+) ", record["message"])
                if found:
                    return found[1]
            return None

        base = await until(served, 30, "the health endpoint was announced", log)

        async def ready() -> bool:
            return (await _get(base + "/readyz"))[0] == 200

        await until(ready, 60, "/readyz said ready", log)
        status, body = await _get(base + "/healthz")
        assert status == 200 and json.loads(body)["ok"] is True
        before = _scrape((await _get(base + "/metrics"))[1])

        ids = iter(range(990_000_000_000_000_000, 991_000_000_000_000_000))
        await server.dispatch("INTERACTION_CREATE", fake.command_payload(next(ids), 7, "help"))
        await server.wait_acks(1, 60)
        custom_id = f"herbot:poll:vote:{poll_id}:0"
        click = fake.click_payload(next(ids), 7, custom_id, message)
        await server.dispatch("INTERACTION_CREATE", click)
        await server.wait_acks(2, 60)
        assert len(server.acks) == 2

        async def counted() -> dict[Any, float] | None:
            scraped = _scrape((await _get(base + "/metrics"))[1])
            key = ("herbot_interactions_total", frozenset({("kind", "component"),
                   ("command", "poll vote button"), ("outcome", "ok")}))  # fmt: skip
            return scraped if scraped.get(key, 0) - before.get(key, 0) == 1 else None

        after = await until(counted, 30, "the click was counted", log)
        help_ok = ("herbot_interactions_total", frozenset({("kind", "command"),
                   ("command", "/help"), ("outcome", "ok")}))  # fmt: skip
        assert after[help_ok] - before.get(help_ok, 0) == 1
        acks = ("herbot_interaction_ack_seconds_count", frozenset({("kind", "command")}))
        assert after[acks] - before.get(acks, 0) == 1
        assert after[("herbot_group_commit_size_count", frozenset({("writer", "votes")}))] == 1
        assert after[("process_resident_memory_bytes", frozenset())] > 0

        await server.drop_gateway(hold=True)  # the bot's reconnection waits for HELLO

        async def not_ready() -> dict[str, Any] | None:
            status, body = await _get(base + "/readyz")
            return json.loads(body) if status == 503 else None

        refused = await until(not_ready, 30, "/readyz said not ready", log)
        assert refused["not_ready"] == {"0": "disconnected"}
        assert (await _get(base + "/healthz"))[0] == 200  # alive all the same
        server.release_gateway()
        await until(server.resumed.is_set, 60, "the bot resumed its session", log)
        await until(ready, 30, "/readyz said ready again", log)
        assert (server.identifies, server.resumes) == (1, 1)  # resumed, not a new session
    finally:
        if bot.poll() is None:
            bot.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(bot.wait, 30)
            except subprocess.TimeoutExpired:
                bot.kill()
        await server.stop()

    records = _records(log)  # every line parses: nothing but JSON objects
    assert records and all({"time", "level", "logger", "message", *FIELDS} <= r.keys()
                           for r in records)  # fmt: skip
    assert any(r["message"] == "shut down cleanly" for r in records)
    assert all(r["shard"] == 0 for r in records if r["logger"].startswith("bot."))
