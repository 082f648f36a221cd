"""``herbot demo``: try the real bot offline, in a browser, without a Discord token.

Importing this package stays cheap and needs nothing beyond the bot's own dependencies:
simcord (the ``demo`` extra) is imported only when the demo runs.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from bot.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="the real bot in a local Discord-like page: no Discord application or token",
        description=(
            "Start herbot in a simulated Discord server and open it in your browser. "
            "Uses a fresh temporary database unless --db is given; never the bot's own."
        ),
    )
    p.add_argument("--port", type=int, default=None, help="loopback port (default: any free one)")
    p.add_argument(
        "--no-browser", action="store_true", help="print the page's link without opening it"
    )
    p.add_argument(
        "--db",
        dest="demo_db",
        metavar="PATH",
        help="keep the demo's data in this file across runs (default: a temporary one)",
    )
    # Long-running (it logs its start); simcord needs the standard loop, so no fast_loop.
    p.set_defaults(handler=_demo, long_running=True, started_at=time.perf_counter())


def quiet_simulation_logs() -> None:
    """discord.py's start-up warnings (voice libraries, token login, the intents of
    simcord's own states) describe the simulation, not anything the person can fix."""
    for name in ("discord.client", "discord.state"):
        logging.getLogger(name).setLevel(logging.ERROR)


async def _demo(args: argparse.Namespace, settings: Settings) -> int:
    quiet_simulation_logs()  # before importing simcord, which already warns
    try:
        from demo.runner import DemoStartError, run_demo
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith(("simcord", "aiohttp", "markdown_it")):
            raise
        print(
            "herbot demo needs the demo extra: run `make demo`, or "
            "`pip install -e '.[demo]'` and try again."
        )
        return 2
    port = args.port
    if port is not None and not 0 <= port <= 65535:
        print("herbot demo: --port must be between 0 and 65535")
        return 2
    try:
        return await run_demo(
            settings,
            port=port or None,
            open_browser=not args.no_browser,
            db_path=Path(args.demo_db) if args.demo_db else None,
            started_at=args.started_at,
        )
    except DemoStartError as exc:
        print(f"herbot demo: {exc}")
        return 1
