"""A real ``herbot run`` killed with SIGKILL while a recorded channel is busy, members posting
on while it is down, restarted: the transcript loses nothing the fake Discord still serves.

The bot's own CLI against the loopback fake Discord (``bench/_fake_discord.py``, which keeps
the channel's messages and pages its history as Discord does, rate limited), on the test's
database (SQLite or PostgreSQL). Before catch-up, every message of the last flush window
before the kill and every one posted while down were lost for good; with ``catchup_max = 0``
(catch-up off) this same run shows it, as the baseline.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import _fake_discord as fake
from bot.config import Settings
from bot.db import Database
from tests.scale.waits import ready, until

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _config_dir(tmp: Path, catchup_max: int | None) -> Path:
    """The shipped settings, with ``[threads] catchup_max`` set when given."""
    here = tmp / f"config-{catchup_max}"
    here.mkdir(exist_ok=True)
    text = (ROOT / "herbot_config" / "settings.toml").read_text(encoding="utf-8")
    if catchup_max is not None:
        text = text.replace("[threads]\n", f"[threads]\ncatchup_max = {catchup_max}\n", 1)
    (here / "settings.toml").write_text(text, encoding="utf-8")
    return here


def start_bot(
    server: fake.FakeDiscord, target: str, log: Path, config: Path
) -> subprocess.Popen[bytes]:
    where = {"HERBOT_DATABASE_URL": target} if "://" in target else {"HERBOT_DB": target}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HERBOT_", "DISCORD_"))},
        **where,
        "HERBOT_CONFIG_DIR": str(config),
        "DISCORD_TOKEN": "bench.fake.token",
        "DISCORD_API_BASE": server.api_base,
        "DISCORD_GATEWAY_URL": server.gateway_url,
    }
    herbot = Path(sys.executable).with_name("herbot")
    out = log.open("ab")
    return subprocess.Popen([str(herbot), "run"], env=env, cwd=ROOT, stdout=out, stderr=out)


async def prepare(target: str) -> None:
    """Migrate the database and record the fake's channel (the catch-up bench's own set-up)."""
    from bench.record import recorded_database

    await recorded_database(target)


async def kept_ids(target: str) -> set[int]:
    db = await Database.open(target, migrate=False)
    try:
        rows = await db.fetchall(
            "SELECT message_id FROM recorded_messages WHERE channel_id = ?", (fake.CHANNEL_ID,)
        )
        return {int(r[0]) for r in rows}
    finally:
        await db.close()


@dataclass(frozen=True)
class Crash:
    sent: int  # members' messages, all still served by the fake
    lost: int  # not in the transcript after the restart
    lost_before_kill: int  # of them, delivered live before the SIGKILL
    catchup_seconds: float  # restart's identify to the last message kept (0: never)


async def crash_run(
    target: str,
    tmp: Path,
    *,
    catchup_max: int | None = None,
    live: int = 300,
    while_down: int = 200,
    wait: float = 90.0,
) -> Crash:
    """Post ``live`` messages as a busy burst, kill the process right after it (its last
    flush window unwritten), post ``while_down`` more while it is gone, restart; what the
    transcript keeps."""
    await prepare(target)
    config = _config_dir(tmp, catchup_max)
    server = fake.FakeDiscord()
    await server.start()
    log = tmp / f"herbot-{catchup_max}.log"
    bots = [start_bot(server, target, log, config)]
    sent: list[int] = []
    try:
        await ready(log)
        for i in range(live):
            payload = server.member_message(f"busy {i}")
            await server.dispatch("MESSAGE_CREATE", payload)
            sent.append(int(payload["id"]))
            await asyncio.sleep(0.003)  # the burst's pace (the load), not a wait
        bots[0].send_signal(signal.SIGKILL)  # mid-burst: its last flush window dies with it
        delivered = list(sent)
        await asyncio.to_thread(bots[0].wait, 30)
        for i in range(while_down):
            sent.append(int(server.member_message(f"while down {i}")["id"]))
        server.identified.clear()
        bots.append(start_bot(server, target, log, config))
        await until(server.identified.is_set, 180, "the restarted bot connected", log)
        began = asyncio.get_running_loop().time()
        expected = set(sent)

        async def all_kept() -> bool:
            return expected <= await kept_ids(target)

        took = 0.0
        try:
            await until(all_kept, wait, "every message kept", log)
            took = asyncio.get_running_loop().time() - began
        except AssertionError:
            if catchup_max != 0:
                raise
    finally:
        for bot in bots:
            if bot.poll() is None:
                bot.send_signal(signal.SIGINT)
                try:
                    await asyncio.to_thread(bot.wait, 30)
                except subprocess.TimeoutExpired:
                    bot.kill()
        await server.stop()
    kept = await kept_ids(target)
    lost = [i for i in sent if i not in kept]
    return Crash(len(sent), len(lost), len([i for i in delivered if i not in kept]), took)


async def test_a_kill_mid_burst_loses_nothing_discord_still_serves(
    settings: Settings, tmp_path: Path
):
    crash = await crash_run(str(settings.database), tmp_path)
    assert crash.lost == 0, crash
    assert crash.sent == 500


async def test_the_same_kill_without_catch_up_loses_what_was_posted_while_down(
    settings: Settings, tmp_path: Path
):
    # The baseline of the test above (today's main had no catch-up): catchup_max = 0.
    crash = await crash_run(str(settings.database), tmp_path, catchup_max=0, wait=3.0)
    assert crash.lost >= 200, crash


async def test_messages_posted_while_the_gateway_was_away_are_fetched_on_resume(
    settings: Settings, tmp_path: Path
):
    # Discord replays what a resumed session missed; a session that cannot resume does
    # not, and neither does this fake: only catch-up brings these back.
    target = str(settings.database)
    await prepare(target)
    server = fake.FakeDiscord()
    await server.start()
    log = tmp_path / "herbot.log"
    bot = start_bot(server, target, log, _config_dir(tmp_path, None))
    try:
        await ready(log)
        live = [server.member_message(f"live {i}") for i in range(5)]
        for payload in live:
            await server.dispatch("MESSAGE_CREATE", payload)
        wanted = {int(p["id"]) for p in live}

        async def kept(ids: set[int]) -> bool:
            return ids <= await kept_ids(target)

        await until(lambda: kept(wanted), 30, "the live messages kept", log)
        await server.drop_gateway(hold=True)
        wanted |= {int(server.member_message(f"away {i}")["id"]) for i in range(20)}
        server.release_gateway()
        await asyncio.wait_for(server.resumed.wait(), 60)
        await until(lambda: kept(wanted), 60, "the messages posted while away kept", log)
        assert server.identifies == 1 and server.resumes == 1
    finally:
        bot.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(bot.wait, 30)
        except subprocess.TimeoutExpired:
            bot.kill()
        await server.stop()
