"""Health, readiness, metrics and JSON logs of the real bot in simcord (bot/health.py,
bot/metrics.py, bot/logs.py).

The endpoints are served by the same ``OpsServer`` ``herbot run`` starts, on a free loopback
port, and read over HTTP as Prometheus would; the counters must move with what members do.
``tests/scale/test_ops_process.py`` does the same against a real ``herbot run`` process.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from bot.context import FIELDS, ContextFilter
from bot.health import OpsServer
from bot.logs import json_formatter
from tests.helpers import with_embed_title

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest_asyncio.fixture
async def ops(world: Any) -> AsyncIterator[OpsServer]:
    server = OpsServer(world.bot, "127.0.0.1", 0)
    await server.start()
    yield server
    await server.stop()


async def get(server: OpsServer, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(server.url + path) as response:
        return response.status, await response.text()


def scrape(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a /metrics page, by name and labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_counters_move_at_metrics_and_health_and_readiness_answer(world, ops):
    status, body = await get(ops, "/healthz")
    assert status == 200 and json.loads(body) == {"ok": True, "database": "ok"}
    status, body = await get(ops, "/readyz")
    assert status == 200 and json.loads(body) == {"ready": True, "shards": {"0": "ready"}}
    before = scrape((await get(ops, "/metrics"))[1])

    await world.alice.slash(world.channel, "help")
    refused = await world.alice.slash(world.channel, "poll create", motion="altman-misreads-her")
    assert refused.ephemeral and "Only moderators" in refused.response.content
    created = await world.mod.slash(world.channel, "poll create", motion="altman-misreads-her")
    assert "is open until" in created.response.content
    message = with_embed_title(world.channel, "Poll #")[-1]
    voted = await world.alice.click(message, label="For")
    assert "is counted" in voted.response.content
    _ = world.env.errors  # the refusal is answered on purpose

    status, page = await get(ops, "/metrics")
    assert status == 200
    after = scrape(page)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    interactions = "herbot_interactions_total"
    assert moved(interactions, kind="command", command="/help", outcome="ok") == 1
    assert moved(interactions, kind="command", command="/poll create", outcome="refused") == 1
    assert moved(interactions, kind="command", command="/poll create", outcome="ok") == 1
    assert moved(interactions, kind="component", command="poll vote button", outcome="ok") == 1
    assert moved("herbot_interaction_ack_seconds_count", kind="command") == 3
    assert moved("herbot_interaction_ack_seconds_count", kind="component") == 1
    assert moved("herbot_group_commit_size_count", writer="votes") == 1
    assert moved("herbot_db_transaction_seconds_count", outcome="commit") >= 2
    assert value(after, "herbot_gateway_state", shard="0", state="ready") == 1
    assert value(after, "herbot_gateway_state", shard="0", state="disconnected") == 0
    assert value(after, "herbot_guilds") == 1
    assert value(after, "herbot_recorder_queued_messages") == 0
    assert ("herbot_db_connections", frozenset({("pool", "reader"), ("state", "idle")})) in after
    # Labels are bounded: no guild, channel, member or poll id anywhere on the page.
    ids = {world.guild.id, world.channel.id, world.alice.id, world.mod.id, message.id}
    assert not any(str(i) in page for i in ids)
    assert not re.search(r'command="[^"]*\d{5,}', page)


async def test_readiness_follows_the_gateway_connection(world, ops):
    world.bot.dispatch("disconnect")  # what discord.py dispatches when the gateway drops
    status, body = await get(ops, "/readyz")
    assert status == 503
    assert json.loads(body) == {
        "ready": False,
        "shards": {"0": "disconnected"},
        "not_ready": {"0": "disconnected"},
    }
    scraped = scrape((await get(ops, "/metrics"))[1])
    assert value(scraped, "herbot_gateway_state", shard="0", state="disconnected") == 1
    assert (await get(ops, "/healthz"))[0] == 200  # alive: discord.py reconnects by itself

    world.bot.dispatch("resumed")
    status, body = await get(ops, "/readyz")
    assert status == 200 and json.loads(body)["ready"] is True


async def test_health_says_when_the_database_does_not_answer(world, ops, monkeypatch):
    async def broken(*_: object) -> None:
        raise OSError("database is gone")

    monkeypatch.setattr(world.bot.db, "fetchval", broken)
    status, body = await get(ops, "/healthz")
    assert status == 503
    assert json.loads(body) == {"ok": False, "database": "OSError: database is gone"}


class Lines(logging.Handler):
    """The JSON lines ``HERBOT_LOG_FORMAT=json`` writes, kept in memory."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.addFilter(ContextFilter())
        self.setFormatter(json_formatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def json_lines() -> Any:
    handler = Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


TYPED = "marmalade oscilloscope"  # words only this test's member types


async def test_json_lines_carry_the_context_and_never_a_members_words(
    world, json_lines, monkeypatch
):
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the retriever broke")

    monkeypatch.setattr("cogs.quotes.ask.cog.answers.ask", broken)
    result = await world.alice.slash(world.channel, "ask", question=f"Why a {TYPED}?")
    reply = result.response.content if result.response else ""
    shown = re.search(r"error id `([0-9a-f]+)`", reply or str(result.followups))
    assert shown, "the member is told an error id"
    with pytest.raises(ExceptionGroup):
        world.env.raise_errors()  # the injected error, reported on purpose
    submitted = await world.bob.slash(
        world.channel, "poll quick", question=f"Is {TYPED} art?", answers="Yes; No"
    )
    assert submitted is not None

    records = [json.loads(line) for line in json_lines.lines]  # every line parses
    assert records
    for record in records:
        assert {"time", "level", "logger", "message", *FIELDS} <= record.keys()
    error = next(r for r in records if r["error_id"] == shown[1])
    assert error["level"] == "ERROR" and error["logger"] == "bot.errors"
    assert error["command"] == "/ask"
    assert error["guild"] == world.guild.id and error["shard"] == 0
    assert isinstance(error["interaction_id"], int)
    assert "the retriever broke" in error["exc_info"]
    above_debug = [line for line, r in zip(json_lines.lines, records, strict=True)
                   if r["level"] != "DEBUG"]  # fmt: skip
    assert not [line for line in above_debug if "marmalade" in line or "oscilloscope" in line]


async def test_claims_scheduler_lag_and_ask_outcomes_are_counted(world):
    from bot.metrics import samples

    def count(name: str, **labels: str) -> float:
        return sum(
            v for found, v in samples(world.bot.metrics, name) if labels.items() <= found.items()
        )

    lag_before = count("herbot_scheduler_lag_seconds_count")
    await world.mod.slash(world.channel, "poll create", motion="altman-misreads-her", duration="1h")
    await world.env.advance_time(60 * 60 + 5)  # the deadline passes: the result is claimed
    assert count("herbot_claims_total", kind="poll-result", how="taken") == 1
    assert count("herbot_claims_total", how="retaken") == 0
    assert count("herbot_scheduler_lag_seconds_count") > lag_before

    await world.alice.slash(world.channel, "ask", question="Who voices Samantha?")
    await world.alice.slash(world.channel, "ask", question="What is the capital of Peru?")
    assert count("herbot_ask_total", outcome="answered") == 1
    assert count("herbot_ask_total", outcome="declined") == 1
    assert count("herbot_ask_seconds_count") == 2


async def test_every_metric_is_documented_and_the_dashboard_asks_for_real_ones(world):
    page = (DOCS / "metrics.md").read_text(encoding="utf-8")
    families = {f.name for f in world.bot.metrics.registry.collect()}
    herbot = {name for name in families if name.startswith("herbot_")}
    assert len(herbot) >= 17
    counters = {f.name for f in world.bot.metrics.registry.collect() if f.type == "counter"}
    for name in herbot:
        shown = f"{name}_total" if name in counters else name
        assert f"`{shown}`" in page, f"docs/metrics.md does not say what {shown} means"
    dashboard = json.loads((DOCS / "grafana-herbot.json").read_text(encoding="utf-8"))
    asked = set()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", ()):
            asked |= set(re.findall(r"\b(?:herbot|process)_\w+", target["expr"]))
    assert asked
    for name in asked:
        base = re.sub(r"_(bucket|sum|count|total)$", "", name)
        assert base in families, f"the dashboard asks for {name}, which herbot does not export"
