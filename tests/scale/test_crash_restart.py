"""A real ``herbot run`` killed with SIGKILL while its result post is in flight, restarted at
once (what a service manager's restart-on-failure does): the next process posts it, once.

The bot's own CLI against the loopback fake Discord (``bench/_fake_discord.py``), on the test's
database (SQLite or PostgreSQL). The fake never answers the first result post, so the process
that closed the poll still holds the result's claim, with its lease running, when it is
killed; a new process is started on the same database at once. Its scheduler's sweep retakes
the dead owner's claim when the lease runs out and posts the result. (Before the sweep,
expired claims were read once at start: this restart came too early, and nothing posted.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench import _fake_discord as fake
from bench.burst import _prepare_database
from bot import claims
from bot.clock import iso
from bot.config import Settings
from bot.db import Database
from cogs.polls.cog import result_key
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
    }
    herbot = Path(sys.executable).with_name("herbot")
    out = log.open("ab")
    return subprocess.Popen([str(herbot), "run"], env=env, cwd=ROOT, stdout=out, stderr=out)


async def test_a_kill_and_an_immediate_restart_post_the_result_once(
    settings: Settings, tmp_path: Path
):
    target = str(settings.database)
    poll_id, _ = await _prepare_database(target)
    db = await Database.open(target, migrate=False)
    try:
        async with db.transaction() as tx:  # the deadline comes a few seconds after the start
            soon = iso(datetime.now(UTC) + timedelta(seconds=4))
            await tx.execute("UPDATE polls SET closes_at = ? WHERE id = ?", (soon, poll_id))
    finally:
        await db.close()

    server = fake.FakeDiscord(hang_posts=1)
    await server.start()
    log = tmp_path / "herbot.log"
    bots = [_start(server, target, log)]
    try:
        await until(server.identified.is_set, 180, "the first process connected", log)
        await until(lambda: server.refused, 60, "the result post was sent", log)
        bots[0].send_signal(signal.SIGKILL)  # mid-post: the claim stays held, its lease running
        await asyncio.to_thread(bots[0].wait, 30)
        server.identified.clear()
        bots.append(_start(server, target, log))  # restarted at once, within the lease
        await until(server.identified.is_set, 180, "the second process connected", log)
        channel = f"/channels/{fake.CHANNEL_ID}/messages"
        assert server.posts == []  # the dead owner's lease still runs
        await until(
            lambda: any(path == channel for _, path in server.posts),
            claims.DEFAULT_LEASE.total_seconds() + 60,
            "the result was posted",
            log,
        )
        assert [path for _, path in server.posts].count(channel) == 1
    finally:
        for bot in bots:
            if bot.poll() is None:
                bot.send_signal(signal.SIGINT)
                try:
                    await asyncio.to_thread(bot.wait, 30)
                except subprocess.TimeoutExpired:
                    bot.kill()
        await server.stop()

    db = await Database.open(target, migrate=False)
    try:
        assert await claims.is_done(db, result_key(poll_id))  # done: nothing retries it
    finally:
        await db.close()
    assert [path for _, path in server.posts].count(channel) == 1  # still one, after the stop
