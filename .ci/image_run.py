"""``herbot run`` inside the image against the loopback fake Discord (.ci/test-image).

The fake (``bench/_fake_discord.py``) runs here, on the host; the bot runs in the image
through ``buildah run`` (the host's network), so it reaches the fake on 127.0.0.1. Passes when
the bot identifies, the image's own HEALTHCHECK command succeeds inside the container, and a
/help slash command is acknowledged. Bounded: every wait has a deadline, the bot is stopped.

    python .ci/image_run.py CONTAINER HEALTHCHECK-JSON
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _fake_discord as fake

BOUND = 180  # seconds for the bot to identify on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def in_image(container: str, env: dict[str, str], *command: str) -> list[str]:
    where = [f"--env={k}={v}" for k, v in env.items()]
    return ["buildah", "run", "--isolation", "chroot", *where, container, "--", *command]


async def main(container: str, healthcheck: list[str]) -> int:
    server = fake.FakeDiscord()
    await server.start()
    env = {
        "DISCORD_TOKEN": "image.fake.token",
        "DISCORD_API_BASE": server.api_base,
        "DISCORD_GATEWAY_URL": server.gateway_url,
        "HERBOT_METRICS_ADDR": f"127.0.0.1:{free_port()}",
        "HERBOT_DB": "/tmp/herbot-image-run.db",
    }
    bot = await asyncio.create_subprocess_exec(
        *in_image(container, env, "herbot", "run"), start_new_session=True
    )
    try:
        await asyncio.wait_for(server.identified.wait(), BOUND)
        print("image-run: herbot identified with the fake Discord")
        for _ in range(60):  # the endpoint comes up beside the gateway session
            probe = await asyncio.create_subprocess_exec(
                *in_image(container, env, *healthcheck),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if await probe.wait() == 0:
                break
            await asyncio.sleep(1)
        else:
            print("image-run: the image's HEALTHCHECK never passed", file=sys.stderr)
            return 1
        print("image-run: the image's HEALTHCHECK passed (/healthz)")
        help_id = 990_000_000_000_000_000
        await server.dispatch("INTERACTION_CREATE", fake.command_payload(help_id, 7, "help"))
        await server.wait_acks(1, 60)
        if help_id not in server.acks:
            print("image-run: /help was never acknowledged", file=sys.stderr)
            return 1
        print("image-run: /help acknowledged")
        return 0
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(bot.wait(), 60)
            except TimeoutError:
                bot.kill()
                await bot.wait()
        await server.stop()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], json.loads(sys.argv[2]))))
