"""How herbot starts, what it owns and in which order.

``run_bot`` is the one async main: it validates settings, opens (and migrates, and seeds)
the database, builds the bot, loads the feature extensions in ``setup_hook``, runs until
SIGINT/SIGTERM, then closes the bot and finally the database. Commands are synced only on
demand (``herbot sync`` or ``/herbot sync``), never on start.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime

import aiosqlite
import discord
from discord.ext import commands

from bot.config import Settings
from bot.database import app_database
from bot.errors import HerbotTree
from bot.privacy import PrivacyHooks

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    value = discord.Intents.default()
    value.message_content = True  # privileged: thread recording and "Save as quote" read text
    return value


class Herbot(commands.Bot):
    """The bot. It owns nothing it did not receive: the async main passes in the database."""

    def __init__(self, settings: Settings, db: aiosqlite.Connection) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            tree_cls=HerbotTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings = settings
        self.db = db
        # Features register what opting out and "forget me" remove (see cogs/admin/privacy.py).
        self.privacy_hooks = PrivacyHooks()

    @property
    def now(self) -> Callable[[], datetime]:
        """The clock features use (aware UTC); simcord's virtual clock in tests."""
        return discord.utils.utcnow

    async def setup_hook(self) -> None:
        for name in self.settings.extensions:
            await self.load_extension(name)
        log.info("loaded %d extensions", len(self.settings.extensions))

    async def on_ready(self) -> None:
        log.info("ready as %s in %d guilds", self.user, len(self.guilds))


def create_bot(settings: Settings, db: aiosqlite.Connection) -> Herbot:
    return Herbot(settings, db)


async def warm_up_extensions(settings: Settings, db: aiosqlite.Connection) -> None:
    """Run each extension's optional ``async warm_up(db, settings)`` before the bot starts.

    Slow, idempotent start-up work (encoding /ask's passages) belongs here: it stores its
    results for the extension's own start to find, so the gateway connection (and, in tests
    and the demo, simcord's fixed start-up budget) never waits on it.
    """
    for name in settings.extensions:
        warm_up = getattr(importlib.import_module(name), "warm_up", None)
        if warm_up is None:
            continue
        started = time.perf_counter()
        await warm_up(db, settings)
        log.info("warmed up %s in %.1f s", name, time.perf_counter() - started)


def apply_proxy(settings: Settings) -> None:
    """Point discord.py at a REST / gateway proxy when configured, as large bots do."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base.rstrip("/")
        log.info("REST API base: %s", discord.http.Route.BASE)
    if settings.gateway_url:
        import yarl
        from discord.gateway import DiscordWebSocket

        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)
        log.info("gateway: %s", settings.gateway_url)


async def run_bot(settings: Settings) -> None:
    token = settings.require_token()
    apply_proxy(settings)
    async with app_database(settings) as db:
        await warm_up_extensions(settings, db)
        bot = create_bot(settings, db)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
                loop.add_signal_handler(sig, lambda s=sig: _shutdown(bot, s))
        async with bot:
            await bot.start(token.reveal())
    log.info("shut down cleanly")


_shutdown_tasks: set[asyncio.Task[None]] = set()


def _shutdown(bot: Herbot, sig: signal.Signals) -> None:
    log.info("received %s, shutting down", sig.name)
    task = asyncio.ensure_future(bot.close())
    _shutdown_tasks.add(task)
    task.add_done_callback(_shutdown_tasks.discard)


async def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Log in over REST only and sync the command tree; returns how many were synced."""
    token = settings.require_token()
    apply_proxy(settings)
    async with app_database(settings) as db:
        bot = create_bot(settings, db)
        async with bot:
            await bot.login(token.reveal())  # runs setup_hook, so every extension registers
            guild = discord.Object(id=guild_id) if guild_id else None
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    return len(synced)
