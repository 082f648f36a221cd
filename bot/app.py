"""How herbot starts, what it owns and in which order.

``build(settings)`` is the one public builder (``herbot run``, ``herbot sync``, the demo and
the tests all use it): it opens and migrates the database, seeds it and warms the features
up, and returns ``(database, bot)``. ``run_bot`` is the async main: it runs until
SIGINT/SIGTERM, then closes the bot and finally the database. Commands are synced only on
demand (``herbot sync`` or ``/herbot sync``), never on start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
import discord
from discord.ext import commands

from bot import cache_sync, claims, context, intents, interactions, speed
from bot.cache_sync import CacheWatcher
from bot.components import Components
from bot.config import Settings
from bot.db import Database
from bot.errors import HerbotTree, StartError
from bot.fastlane import FastLane
from bot.feature import Feature, load_features
from bot.health import OpsServer, Readiness, gateway_readings
from bot.metrics import Metrics, Reading
from bot.prepare import prepare_database
from bot.presentation import plural
from bot.services import Services
from bot.shards import ShardSet, shard_of
from bot.text import install as clean_user_text
from bot.timers import Scheduler
from bot.translator import HerbotTranslator

log = logging.getLogger(__name__)
T = TypeVar("T")


class Herbot(commands.Bot):
    """The bot. It owns nothing it did not receive: the builder passes in the database."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        features: tuple[Feature, ...] | None = None,
        **options: Any,
    ) -> None:
        # herbot never joins voice: discord.py's "PyNaCl/davey is not installed" warning at
        # start is noise (it is logged from Client.__init__, so before calling it).
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents.intents(settings.message_content),
            tree_cls=HerbotTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.db = db
        # This bot's metrics (bot/metrics.py), which its database and scheduler count into too,
        # and its shards' gateway states for /readyz (bot/health.py).
        self.metrics = Metrics()
        db.metrics = self.metrics
        self.readiness = Readiness(sharded=isinstance(self, discord.AutoShardedClient))
        for reading in gateway_readings(self):
            self.metrics.collect(reading.name, reading)
        self.metrics.collect(
            "db-pool",
            Reading(
                "herbot_db_connections",
                "Database connections by pool and state (in_use, idle; writer busy, waiting)",
                ("pool", "state"),
                lambda: [((pool, state), n) for pool, state, n in db.pool_use()],
            ),
        )
        # Which guilds' events and timers are this process's (all of them unless sharded),
        # and this process's name in timer claims (bot/claims.py).
        self.shard_set = ShardSet.of(settings.shard_count, settings.shard_ids)
        self.claim_owner = claims.new_owner(self.shard_set.label())
        self.cache_watcher = CacheWatcher(self, settings.cache_check_seconds)
        # This process's own cache changes, once committed: the same event (bot/cache_sync.py).
        self._stop_announcing = cache_sync.listen(
            db, lambda name, guild_id, key: self.dispatch(cache_sync.EVENT, name, guild_id, key)
        )
        self.features = features if features is not None else load_features(settings.features)
        self.services = Services()  # what features provide each other (bot/services.py)
        # Every timer of every feature, and due work claimed across processes (bot/timers.py).
        self.scheduler = Scheduler(
            db, owner=self.claim_owner, owns_guild=self.owns_guild, now=lambda: self.now()
        )
        # Every option, modal field and message is cleaned before discord.py parses it.
        clean_user_text(self._connection.parsers)
        self.fastlane = FastLane(self)  # raw clicks for the busiest buttons (bot/fastlane.py)
        # Persistent buttons and selects, and the object that handles each (bot/components.py).
        self.components = Components(self)

    @property
    def now(self) -> Callable[[], datetime]:
        """The clock features use (aware UTC); simcord's virtual clock in tests."""
        return discord.utils.utcnow

    async def login(self, token: str) -> None:
        connector = speed.http_connector(self.settings.speedups)
        if connector is not None:  # before discord.py creates its HTTP session
            self.http.connector = connector
        await super().login(token)

    def owns_guild(self, guild_id: int | None) -> bool:
        """True when this process runs the guild's shard (always, unless sharded)."""
        return self.shard_set.owns(guild_id)

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        # Synchronous, before any listener or handler task runs: the gateway's state for
        # /readyz, and each interaction's measurement (bot/interactions.py).
        self.readiness.observe(event_name, args)
        if event_name == "interaction":
            interactions.received(self, args[0])
        elif event_name == "app_command_completion":
            interactions.finished(args[0], interactions.OK)
        super().dispatch(event_name, *args, **kwargs)

    def shard_for(self, guild_id: int | None) -> int:
        """The shard a guild's events come on (DMs: shard 0)."""
        if guild_id is None or not self.shard_set.sharded:
            return 0
        return shard_of(guild_id, self.shard_set.count)

    async def setup_hook(self) -> None:
        self.fastlane.install()
        # Command names and descriptions in the shipped locales at every sync (bot/translator.py).
        await self.tree.set_translator(HerbotTranslator())
        # Outermost: the fast lane's tasks and discord.py's see the interaction's log context.
        context.install(self._connection.parsers, self.shard_for)
        for feature in self.features:
            await feature.setup(self)
        log.info("loaded %d features", len(self.features))
        if not self.intents.message_content:
            intents.gate(self.tree, self.features)
            off = intents.off_summary(self.features)
            log.info("without the Message Content intent%s", f"; off: {off}" if off else "")
        self.scheduler.start()  # re-arms the features' timers, then sweeps unfinished claims
        if self.shard_set.sharded:
            # Other processes change what this one caches: follow the database.
            self.cache_watcher.start()
            every = self.cache_watcher.interval
            log.info("%s; caches checked every %ss", self.shard_set.label(), every)

    async def close(self) -> None:
        self.cache_watcher.stop()
        self._stop_announcing()
        self.scheduler.stop()
        await super().close()

    async def on_ready(self) -> None:
        log.info("%s", ready_line(str(self.user), len(self.guilds)))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        log.info("joined server %s (%d); now in %d", guild.name, guild.id, len(self.guilds))


def ready_line(user: str, guilds: int) -> str:
    """The start-up line. Servers can still be arriving at READY, so no "in 0 guilds"."""
    if guilds:
        return f"ready as {user} in {plural(guilds, 'server')}"
    return (
        f"ready as {user}; no servers yet (they arrive as Discord sends them; "
        "if none do, invite the bot with the URL in README.md)"
    )


class ShardedHerbot(Herbot, commands.AutoShardedBot):
    """herbot as one of several processes: runs ``settings.shard_ids`` of ``shard_count``."""


def create_bot(settings: Settings, db: Database) -> Herbot:
    if settings.shard_count is None:
        return Herbot(settings, db)
    shards = ShardSet.of(settings.shard_count, settings.shard_ids)
    return ShardedHerbot(settings, db, shard_count=shards.count, shard_ids=list(shards.ids))


@contextlib.asynccontextmanager
async def build(settings: Settings) -> AsyncIterator[tuple[Database, Herbot]]:
    """The database (migrated, seeded, warmed up) and the bot on it; closes both in order."""
    db = await prepare_database(settings, warm_up=True)
    try:
        yield db, create_bot(settings, db)
    finally:
        await db.close()


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
    shards = ShardSet.of(settings.shard_count, settings.shard_ids)
    if len(shards.ids) == 1:  # every line this process logs is about that shard
        context.shard.set(shards.ids[0])
    token = settings.require_token()
    apply_proxy(settings)
    if settings.speedups:
        speed.fair_gateway()
    async with build(settings) as (_db, bot):
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
                loop.add_signal_handler(sig, _shutdown, bot, sig)
        server = None
        if settings.metrics_addr is not None:
            server = OpsServer(bot, *settings.metrics_addr)
            try:
                await server.start()
            except OSError as exc:
                raise StartError(
                    f"could not serve health and metrics on {settings.metrics_addr[0]}:"
                    f"{settings.metrics_addr[1]} ({exc.strerror or exc}): choose another "
                    "HERBOT_METRICS_ADDR or [bot] metrics_addr, or leave it unset"
                ) from None
        try:
            async with bot:
                await bot.start(token.reveal())
        finally:
            if server is not None:
                await server.stop()
    log.info("shut down cleanly")


async def guard_start(work: Awaitable[T]) -> T:
    """Run ``work`` (``run_bot`` or ``sync_commands``); what an operator can fix becomes one
    line (:class:`StartError`) instead of a traceback: no network, a refused token, a
    missing privileged intent."""
    try:
        return await work
    except discord.LoginFailure:
        raise StartError(
            "Discord refused the token: check DISCORD_TOKEN in .env or the environment "
            "(Developer Portal → Bot → Reset Token gives a new one)."
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise StartError(
            "Discord refused the Message Content intent: turn it on in the Developer Portal "
            "→ Bot → Privileged Gateway Intents, or run without it (`message_content = false` "
            "under [bot] in settings.toml, or HERBOT_MESSAGE_CONTENT=0: recording and "
            "nominations by reaction are then off)."
        ) from None
    except (aiohttp.ClientError, discord.GatewayNotFound, OSError, TimeoutError) as exc:
        reason = str(getattr(exc, "os_error", None) or exc) or type(exc).__name__
        raise StartError(
            f"could not reach Discord ({reason}): check this machine's network connection, "
            "DNS and firewall or proxy, and DISCORD_API_BASE / DISCORD_GATEWAY_URL if set."
        ) from None


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
    db = await prepare_database(settings)
    try:
        bot = create_bot(settings, db)
        async with bot:
            await bot.login(token.reveal())  # runs setup_hook, so every feature registers
            guild = discord.Object(id=guild_id) if guild_id else None
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    finally:
        await db.close()
    return len(synced)
