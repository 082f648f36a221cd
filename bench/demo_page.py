"""``herbot demo``: start-up time, and page actions refused under two refresh policies.

Run: ``python -m bench.demo_page [--runs R] [--actions N] [--quick]`` (the second table
needs Debian's chromium and the playwright package; ``make browser``).

1. Start-up: wall-clock from launching ``herbot demo --no-browser`` to its URL on stdout,
   median of R runs. Baseline, same run: ``herbot --version`` (interpreter + CLI import).
2. Page actions: N slash commands (``/privacy status``) run from the page's composer in
   headless Chromium while the clock loop ticks every 0.3 s. Baseline: refresh the page on
   every tick. herbot's policy: refresh only pages that are behind the world. An action
   refused as stale or busy is what a person sees as "the click did nothing"; "stuck"
   counts runs whose page did not settle within 10 s (e.g. a picker redrawn mid-typing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parent.parent
TICK = 0.3


def _seconds_to_first_line(args: list[str], *, interrupt: bool) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    if interrupt:
        proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    if not line.strip():
        raise RuntimeError(f"herbot {' '.join(args)} printed nothing")
    return elapsed


def _imports_seconds() -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import discord, simcord, simcord.preview, aiosqlite"],
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - start


def startup_table(runs: int) -> None:
    version = [_seconds_to_first_line(["--version"], interrupt=False) for _ in range(runs)]
    imports = [_imports_seconds() for _ in range(runs)]
    demo = [_seconds_to_first_line(["demo", "--no-browser"], interrupt=True) for _ in range(runs)]
    base = statistics.median(version)
    rows = [
        ("herbot --version (baseline)", base),
        ("import discord, simcord (floor)", statistics.median(imports)),
        ("herbot demo --no-browser (URL)", statistics.median(demo)),
    ]
    print(f"\nStart-up, median of {runs} runs (seconds to the first line on stdout)")
    print(f"{'command':<34}{'median s':>10}{'ratio':>8}")
    for name, seconds in rows:
        print(f"{name:<34}{seconds:>10.2f}{seconds / base:>8.1f}")


async def _run_once(page: Any) -> bool:
    """Run ``/privacy status`` from the composer; whether it ran (not refused, not stuck)."""
    before = await page.evaluate("() => window.simcordPreview.lastAction?.requestId ?? null")
    composer = page.locator("#channel-composer-input")
    await composer.click()
    await composer.press_sequentially("/privacy status")
    await page.wait_for_function(
        "() => (window.simcordPreview.commandPicker.activeEntryKey || '')"
        ".endsWith(':privacy.status')"
    )
    await page.keyboard.press("Enter")
    await page.wait_for_function("() => window.simcordPreview.commandPicker.state === 'composing'")
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "b => { const a = window.simcordPreview.lastAction;"
        " return a && a.requestId !== b && !window.simcordPreview.pendingAction; }",
        arg=before,
    )
    return await page.evaluate("() => window.simcordPreview.lastAction.settlement") == "settled"


async def _run_commands(page: Any, url: str, count: int) -> tuple[int, int]:
    """Run the command ``count`` times; return (refused, stuck) attempts."""
    from playwright.async_api import TimeoutError as PageTimeout

    refused = stuck = 0
    for _ in range(count):
        if page.url != url:
            await page.goto(url)
            await page.wait_for_function("() => window.simcordPreview?.ready")
        try:
            if await _run_once(page):
                continue
            refused += 1
        except PageTimeout:  # e.g. the picker redrawn under the typing
            stuck += 1
        await page.goto("about:blank")  # drop the kept draft; the next run reloads
    return refused, stuck


async def _policy(settings: Any, browser: Any, every_tick: bool, count: int) -> tuple[int, int]:
    from simcord import SetupError

    from demo.realtime import RealTime
    from demo.runner import demo_env

    with tempfile.TemporaryDirectory() as tmp:
        async with demo_env(settings, Path(tmp) / "demo.db") as (env, world):
            clock = RealTime(env)
            async with env.preview(
                world.channel, viewers=world.viewers, layout="channel"
            ) as preview:
                clock.watch(preview)
                stop = asyncio.Event()

                async def ticking() -> None:
                    while not stop.is_set():
                        await asyncio.sleep(TICK)  # a benchmark of real time, on purpose
                        await clock.tick()
                        if every_tick:
                            with contextlib.suppress(SetupError):
                                await preview.refresh()

                ticker = asyncio.create_task(ticking())
                page = await browser.new_page()
                page.set_default_timeout(10_000)
                try:
                    return await _run_commands(page, preview.url, count)
                finally:
                    stop.set()
                    await ticker
                    await page.close()


async def actions_table(count: int) -> None:
    from playwright.async_api import async_playwright

    from bot.config import load_settings

    settings = load_settings(dotenv=False)
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_FLAGS
        )
        context = await browser.new_context(bypass_csp=True)
        try:
            naive = await _policy(settings, context, True, count)
            ours = await _policy(settings, context, False, count)
        finally:
            await browser.close()
    print(f"\nPage actions that failed, {count} slash commands each, clock tick {TICK} s")
    print(f"{'refresh policy':<32}{'refused':>9}{'stuck':>7}{'of':>5}")
    for name, (refused, stuck) in (
        ("every tick (baseline)", naive),
        ("only pages behind the world", ours),
    ):
        print(f"{name:<32}{refused:>9}{stuck:>7}{count:>5}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="start-up runs per command")
    parser.add_argument("--actions", type=int, default=40, help="slash commands per policy")
    parser.add_argument("--quick", action="store_true", help="1 run, 10 commands")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.actions = 1, 10
    startup_table(args.runs)
    if shutil.which("chromium") is None:
        print("\n(page actions skipped: Debian's chromium is not installed; `make browser`)")
        return 0
    asyncio.run(actions_table(args.actions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
