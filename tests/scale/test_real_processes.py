"""Two real ``herbot run`` processes (shards 0 and 1 of one bot) on one database.

simcord runs one live bot per event loop, so this test uses what ``bench/scale.py`` uses:
each process is the bot's own CLI against its own loopback fake Discord
(``bench/_fake_discord.py``), both writing to the test's PostgreSQL database (``herbot run``
refuses shards split across processes on SQLite, docs/scaling.md; tests/core/test_cli.py
checks that). Every member clicks the same poll through both processes at once, each time a
different option: the database's key must keep one vote per member, and every click must
still be answered.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import pytest

from bench import _fake_discord as fake
from bench.scale import _prepare, start_processes
from bot.config import Settings
from bot.db import Database

MEMBERS = 40

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]


def _db_env(target: str) -> dict[str, str]:
    return {"HERBOT_DATABASE_URL": target}


async def test_members_clicking_through_both_processes_are_counted_once(
    settings: Settings, tmp_path: Path
):
    target = str(settings.database)
    poll_id, message = await _prepare(target)
    servers = [fake.FakeDiscord(), fake.FakeDiscord()]
    for server in servers:
        await server.start()
    bots = []
    try:
        bots = await start_processes(servers, _db_env(target), tmp_path, "two-processes")
        ids = iter(range(970_000_000_000_000_000, 980_000_000_000_000_000))
        clicked: dict[int, set[int]] = {}
        sends = []
        for member in range(1, MEMBERS + 1):
            for which, server in enumerate(servers):
                option = (member + which) % 3
                clicked.setdefault(member, set()).add(option)
                custom_id = f"herbot:poll:vote:{poll_id}:{option}"
                payload = fake.click_payload(next(ids), member, custom_id, message)
                sends.append(server.dispatch("INTERACTION_CREATE", payload))
        await asyncio.gather(*sends)
        for server in servers:
            await server.wait_acks(MEMBERS, 120)
            assert len(server.acks) == MEMBERS  # every click answered, in both processes
            answers = [(body or {}).get("data", {}).get("content", "") for body in
                       server.ack_bodies.values()]  # fmt: skip
            confirmed = ("is counted", "changed your vote", "already voted")
            failed = [a for a in answers if not any(c in a for c in confirmed)]
            assert failed == []  # each one a confirmation (no lock wait or deadlock lost one)
    finally:
        for bot in bots:
            bot.send_signal(signal.SIGINT)
        for bot in bots:
            try:
                await asyncio.to_thread(bot.wait, 30)
            except subprocess.TimeoutExpired:
                bot.kill()
                bot.wait()
        for server in servers:
            await server.stop()

    db = await Database.open(target, migrate=False)
    try:
        rows = await db.fetchall(
            "SELECT user_id, position FROM poll_votes WHERE poll_id = ?", (poll_id,)
        )
    finally:
        await db.close()
    votes = {int(r[0]): int(r[1]) for r in rows}
    assert len(rows) == MEMBERS  # one vote per member, though each clicked twice
    assert all(votes[m] in clicked[m] for m in clicked)  # the one kept is one they clicked
