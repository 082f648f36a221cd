"""Shared fixtures: a real temporary SQLite file and the real bot in a simcord world.

``world`` gives every behaviour test the same small community: a guild, a #general channel,
a moderator (by the configured moderator role, without Manage Server), an admin (Manage
Server) and three members. Commands are synced the way ``/herbot sync`` does it, once.
"""

from __future__ import annotations

import os

# Before any test module imports onnxruntime (importorskip): its telemetry off, as the bot
# has it (cogs/quotes/ask/onnx_encoder.py), so a test run leaves no event store behind.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio

from bot import guild_settings
from bot.app import Herbot, create_bot
from bot.config import Settings, load_settings
from bot.db import Database
from bot.errors import describe
from bot.prepare import prepare_database
from tests import engines

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"
SETTLE_BOUND_SECONDS = 60.0


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    engine = "postgresql" if engines.enabled() else "sqlite"
    for item in items:
        if engine == "postgresql" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite only (this run is PostgreSQL)"))
        if engine == "sqlite" and item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only: make test-postgres"))
    # simcord waits at most settle_timeout (its default 5 s) of real time for the bot to go
    # idle: a bound, not a timing. Two workers beside other work starved a settling bot past 5 s
    # (a warm-up, a restart), so every simcord world gets SETTLE_BOUND_SECONDS unless it says.
    for item in items:
        own = item.get_closest_marker("simcord")
        options = {"settle_timeout": SETTLE_BOUND_SECONDS, **(own.kwargs if own else {})}
        item.add_marker(pytest.mark.simcord(**options), append=False)
    # Slow tests first (a stable sort: the rest keep their order). pytest-xdist hands tests out
    # in this order, so under `make test` a long test starts early instead of being the tail
    # one worker runs alone at the end; every worker sorts the same way, as xdist requires.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under HERBOT_TEST_POSTGRES every database a test opens is a PostgreSQL database."""
    if engines.enabled():
        monkeypatch.setattr("bot.db.resolve_target", engines.resolve)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    base = load_settings(env={"HERBOT_DB": str(tmp_path / "herbot.db")}, dotenv=False)
    if engines.enabled():
        base = replace(base, database=engines.database_for(tmp_path / "herbot.db"))
    # Beside the test's files on either engine (on PostgreSQL the default is the working dir).
    base = replace(base, forget_ledger=tmp_path / "herbot.forget-ledger.jsonl")
    return replace(base, token=None)


@pytest_asyncio.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    conn = await prepare_database(settings)
    yield conn
    await conn.close()


@pytest_asyncio.fixture
async def extra_connections() -> AsyncIterator[list[Database]]:
    """Connections opened by restarts; closed only after the bot has shut down."""
    conns: list[Database] = []
    yield conns
    for conn in conns:
        await conn.close()


@pytest.fixture(scope="session")
def _encoder_loaded() -> None:
    """/ask's encoder, loaded once per test process before any simulated bot starts.

    The Ask cog's warm-up then finds it ready, instead of loading it while simcord gives a
    starting bot 5 s to settle (too little on a loaded machine: the first test failed).
    """
    from cogs.quotes.ask.embedder import fast_model

    fast_model()


@pytest.fixture
def simcord_bot(
    settings: Settings, db: Database, extra_connections: list[Database], _encoder_loaded: None
) -> Herbot:
    return create_bot(settings, db)


@pytest.fixture
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


@dataclass
class World:
    env: Any
    settings: Settings
    guild: Any
    channel: Any
    mod_role: Any
    mod: Any
    admin: Any
    members: list[Any]
    connections: list[Database] = field(default_factory=list)

    @property
    def bot(self) -> Herbot:
        return self.env.bot

    @property
    def db(self) -> Database:
        return self.env.bot.db

    @property
    def alice(self) -> Any:
        return self.members[0]

    @property
    def bob(self) -> Any:
        return self.members[1]

    def user_errors(self) -> list[str]:
        """Acknowledge the errors the bot reported so far; all must be user mistakes.

        simcord records every error that reaches the tree's handler, including the user
        mistakes we answer on purpose. This returns their messages and fails on anything
        unexpected.
        """
        messages = []
        for error in self.env.errors:
            message = describe(error) if isinstance(error, Exception) else None
            assert message is not None, f"unexpected bot error: {error!r}"
            messages.append(message)
        return messages

    async def restart(self) -> Herbot:
        """Restart like a new process: a fresh bot on a freshly opened database."""
        new_db = await prepare_database(self.settings)
        self.connections.append(new_db)
        await self.env.restart_bot(create_bot(self.settings, new_db))
        return self.env.bot

    async def add_members(self, count: int, prefix: str = "member") -> list[Any]:
        start = len(self.members)
        added = [
            self.guild.add_member(self.env.create_user(f"{prefix}{start + i}"))
            for i in range(count)
        ]
        self.members.extend(added)
        return added


async def build_world(
    env: Any, settings: Settings, connections: list[Database] | None = None
) -> World:
    await env.bot.tree.sync()
    guild = env.create_guild("Her fans")
    channel = guild.create_text_channel("general")
    mod_role = guild.create_role("Moderators")
    admin_role = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member(env.create_user("mod"), roles=[mod_role])
    admin = guild.add_member(env.create_user("admin"), roles=[admin_role])
    members = [guild.add_member(env.create_user(n)) for n in ("alice", "bob", "carol")]
    async with env.bot.db.transaction() as tx:
        await guild_settings.set_value(tx, guild.id, "moderator_role_id", str(mod_role.id))
    return World(
        env,
        settings,
        guild,
        channel,
        mod_role,
        mod,
        admin,
        members,
        connections if connections is not None else [],
    )


@pytest_asyncio.fixture
async def world(simcord_env: Any, settings: Settings, extra_connections: list[Database]) -> World:
    return await build_world(simcord_env, settings, extra_connections)
