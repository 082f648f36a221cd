"""``herbot demo``: the real bot, in a simulated Discord, in your browser.

The bot is built by the public builder ``herbot run`` uses (``bot.app.build``: same
features, same curated store) on a database of its own, then attached to a simcord world
instead of Discord. simcord's Preview serves that world's discussion channel as a local,
Discord-like page. While the page is open, :class:`~demo.realtime.RealTime` keeps the
virtual clock at wall-clock pace and republishes the page when something happened. Ending
the session in the page opens a new one on the same world; Ctrl-C (or SIGTERM) stops the
demo cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import webbrowser
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import simcord

from bot.app import Herbot, build, create_bot
from bot.config import ConfigError, Settings
from bot.db import Database
from demo.pages import make_room
from demo.realtime import TICK_SECONDS, RealTime
from demo.refusals import answer_refusals_as_replies
from demo.switcher import Switcher
from demo.world import DemoWorld, build_demo_world

log = logging.getLogger(__name__)

# Generous: a first /ask may load its model. simcord's default (5 s) suits tests, not people.
SETTLE_TIMEOUT_SECONDS = 60.0

START_ATTEMPTS = 3

SessionCallback = Callable[[Any, int, DemoWorld], None]


class DemoStartError(Exception):
    """The simulated bot could not start; the message says what to try."""


def demo_settings(settings: Settings, database: Path) -> Settings:
    """The bot's settings on the demo database, with nothing that could reach Discord."""
    return replace(settings, database=database, token=None, api_base=None, gateway_url=None)


def template_path() -> Path:
    """Where the demo keeps a copy of a freshly started database, to start faster next time."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "herbot" / "demo-template.db"


@contextlib.contextmanager
def demo_database_path(settings: Settings, db_path: Path | str | None) -> Any:
    """The demo's database file: ``db_path``, or a fresh one removed when the demo ends.

    A fresh database per run is the default because the simulated server is new on every
    run: data kept from an earlier run would point at messages that no longer exist. It
    starts as a copy of :func:`template_path` when there is one (see :func:`demo_env`).
    """
    if db_path is not None:
        path = Path(db_path).expanduser().resolve()
        if path == Path(settings.database).resolve():
            raise ConfigError(
                f"{path} is the bot's own database; give `herbot demo --db` another file "
                "(the demo never touches the production data)"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="herbot-demo-") as tmp:
        path = Path(tmp) / "demo.db"
        with contextlib.suppress(OSError):
            shutil.copyfile(template_path(), path)
        yield path


@contextlib.asynccontextmanager
async def demo_env(
    settings: Settings, database: Path, *, template: Path | None = None
) -> AsyncIterator[tuple[Any, DemoWorld]]:
    """Open the demo database, start the real bot in simcord, seed the community.

    With ``template``, the database is copied there once the bot has started and before
    the community exists: the curated store and what features computed while starting
    (e.g. /ask's passage vectors), none of the demo's own data. Migrations and seeders
    bring an older copy up to date, so the next start skips that work.
    """
    config = demo_settings(settings, database)
    async with (
        _build(config, fallback_fresh=template is not None) as (db, bot),
        contextlib.AsyncExitStack() as stack,
    ):
        env = await _start(stack, config, db, bot)
        if template is not None:
            await _save_template(db, template)
        yield env, await build_demo_world(env)


@contextlib.asynccontextmanager
async def _build(
    config: Settings, *, fallback_fresh: bool
) -> AsyncIterator[tuple[Database, Herbot]]:
    try:
        builder = build(config)
        built = await builder.__aenter__()
    except Exception:
        if not fallback_fresh:
            raise
        # A copy from another version of herbot (e.g. a newer schema): start afresh.
        log.warning("the cached demo database does not fit this version; starting afresh")
        with contextlib.suppress(FileNotFoundError):
            os.remove(config.database)
        builder = build(config)
        built = await builder.__aenter__()
    try:
        yield built
    except BaseException as exc:
        await builder.__aexit__(type(exc), exc, exc.__traceback__)
        raise
    else:
        await builder.__aexit__(None, None, None)


async def _save_template(db: Database, template: Path) -> None:
    partial = template.with_suffix(f".{os.getpid()}.tmp")
    try:
        await db.backup(partial)
        os.replace(partial, template)
    except (OSError, sqlite3.Error) as exc:
        log.warning("could not cache the demo database in %s: %s", template, exc)
        partial.unlink(missing_ok=True)


async def _start(
    stack: contextlib.AsyncExitStack, config: Settings, db: Database, bot: Herbot
) -> Any:
    """Start a fresh bot in simcord, again if start-up overran simcord's fixed 5 s budget.

    Features warm up while the bot starts (e.g. /ask encodes passages on a new database).
    On a busy machine that can overrun; what they stored is kept, so a retry gets further.
    """
    for attempt in range(1, START_ATTEMPTS + 1):
        # check_errors=False: an unexpected error is logged (with an id) by the bot's own
        # tree and shown as failed in the page; it must not end the demo on the way out.
        attempt_bot = bot if attempt == 1 else create_bot(config, db)
        run = simcord.run(attempt_bot, check_errors=False, settle_timeout=SETTLE_TIMEOUT_SECONDS)
        try:
            env = await stack.enter_async_context(run)
        except TimeoutError as exc:
            if attempt == START_ATTEMPTS:
                raise DemoStartError(
                    f"the bot was still starting after {attempt} tries ({exc.args[0]}); "
                    "is the machine busy? Try again."
                ) from exc
            log.warning(
                "the bot is still warming up; starting again (%d/%d)", attempt + 1, START_ATTEMPTS
            )
            continue
        answer_refusals_as_replies(env)  # a refusal is a reply in the page, not a failure
        return env
    raise AssertionError("unreachable")


async def run_demo(
    settings: Settings,
    *,
    port: int | None = None,
    open_browser: bool = True,
    db_path: Path | str | None = None,
    stop: asyncio.Event | None = None,
    on_session: SessionCallback | None = None,
    tick: float = TICK_SECONDS,
    started_at: float | None = None,
) -> int:
    """Run the demo until ``stop`` is set (by default: Ctrl-C or SIGTERM); returns 0.

    ``on_session(preview, number, world)`` is called when each page session opens; the
    default prints ``preview.url`` and opens a browser (unless ``open_browser`` is false).
    """
    started = time.perf_counter() if started_at is None else started_at
    own_signals = stop is None
    stop = stop or asyncio.Event()
    if own_signals:
        _handle_signals(stop)
    announce = on_session or _announcer(open_browser, started)
    try:
        with demo_database_path(settings, db_path) as database:
            template = template_path() if db_path is None else None
            async with demo_env(settings, database, template=template) as (env, world):
                await _serve(env, world, stop, port=port, tick=tick, announce=announce)
    finally:
        if own_signals:
            _restore_signals()
    print("herbot demo stopped.", file=sys.stderr)
    return 0


async def _serve(
    env: Any,
    world: DemoWorld,
    stop: asyncio.Event,
    *,
    port: int | None,
    tick: float,
    announce: SessionCallback,
) -> None:
    clock = RealTime(env)
    switcher = Switcher(world)
    world.switcher = switcher
    await switcher.start()
    session = 0
    try:
        while not stop.is_set():
            session += 1
            target = switcher.target
            async with env.preview(
                target, viewers=world.viewers, layout="channel", port=port
            ) as preview:
                switcher.show(preview.url, target)
                clock.watch(preview)
                announce(preview, session, world)
                await _follow(preview, clock, stop, tick, switcher.changed)
            if not stop.is_set() and not switcher.changed.is_set():
                log.info("the page session ended; opening a new one on the same server")
    finally:
        await switcher.stop()


async def _follow(
    preview: Any, clock: RealTime, stop: asyncio.Event, tick: float, switched: asyncio.Event
) -> None:
    """Tick the clock until the session ends, another channel is picked or the demo stops."""
    ended = asyncio.ensure_future(preview.wait_closed())
    stopping = asyncio.ensure_future(stop.wait())
    switching = asyncio.ensure_future(switched.wait())
    waits = (ended, stopping, switching)
    try:
        while True:
            done, _ = await asyncio.wait(waits, timeout=tick)
            if done:
                return
            make_room(preview)  # reloads never run the page out of slots
            await clock.tick()
    finally:
        for task in waits:
            task.cancel()
        await asyncio.gather(*waits, return_exceptions=True)


def _announcer(open_browser: bool, started: float) -> SessionCallback:
    def announce(preview: Any, number: int, world: DemoWorld) -> None:
        url = preview.url
        if number == 1:
            ready = seconds_since_process_start() or (time.perf_counter() - started)
            names = ", ".join(world.viewer_names)
            print(
                f"\nherbot demo: the real bot in a simulated Discord (no token, no network).\n"
                f"  Server '{world.guild.name}', channel #{world.channel.name}; "
                f"view it as {names}.\n"
                f"  Ready in {ready:.1f} s. Ctrl-C stops the demo.\n",
                file=sys.stderr,
            )
        elif world.switcher is not None:  # a channel picked, or the session ended in the page
            print(
                f"\nNew page session {number} on the same server, showing "
                f"{world.switcher.target_name} (the herbot-preview tab follows by itself):",
                file=sys.stderr,
            )
        else:
            print(f"\nNew page session {number} on the same server:", file=sys.stderr)
        # The URL carries the session's key: printed for you, never logged.
        if number == 1 and world.switcher is not None:
            url = world.switcher.page_url  # the page with the channel and thread list
        print(f"  Open {url}", flush=True)
        if open_browser and (number == 1 or world.switcher is None):
            _open_browser(url)  # later, the switcher's herbot-preview tab follows by itself

    return announce


def _open_browser(url: str) -> None:
    graphical = (
        sys.platform in ("darwin", "win32")
        or os.environ.get("DISPLAY")
        or (os.environ.get("WAYLAND_DISPLAY"))
    )
    if not graphical and not os.environ.get("BROWSER"):
        # webbrowser would fall back to a text browser in this very terminal.
        print("  (no graphical session: open that link in your browser)", file=sys.stderr)
        return
    try:
        if not webbrowser.open(url, new=2):
            print("  (could not start a browser: open that link yourself)", file=sys.stderr)
    except webbrowser.Error as exc:
        print(f"  (could not start a browser: {exc})", file=sys.stderr)


def seconds_since_process_start() -> float | None:
    """Wall-clock age of this process (Linux), so start-up time includes imports."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            after_name = f.read().rsplit(")", 1)[1].split()
        start_ticks = int(after_name[19])  # field 22, "starttime", in clock ticks since boot
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _handle_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()

    def first_press(sig: signal.Signals) -> None:
        print(f"\n{sig.name}: stopping the demo (again to force)…", file=sys.stderr)
        stop.set()
        # A second Ctrl-C gets Python's default: KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(sig)

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows
            loop.add_signal_handler(sig, first_press, sig)


def _restore_signals() -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(sig)
