"""Several herbot processes on one database, one simcord world (tests/scale).

simcord runs one live bot per event loop, so the "processes" here take turns on one world
the way a deployment's processes take turns on Discord: ``switch`` stops the running
process and starts another (a fresh bot on a freshly opened database connection) with its
own shard set. Each is a ``ShardedHerbot`` whose timers and claims follow its shard set
(``settings.shard_ids``); on the gateway side all are given every shard so simcord's one
connection can carry them. Guilds are created on a chosen shard (``shard_id=``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.app import Herbot, create_bot
from bot.config import Settings
from bot.db import Database
from bot.prepare import prepare_database

SHARDS = 2


def process(settings: Settings, db: Database, *shard_ids: int) -> Herbot:
    """One process of a ``SHARDS``-shard bot that runs ``shard_ids``."""
    # The cache watcher looks every 10 minutes here: every look is a tick simcord settles,
    # and these tests advance hours (tests/scale/test_processes.py checks the watcher).
    sharded = replace(settings, shard_count=SHARDS, shard_ids=shard_ids, cache_check_seconds=600)
    bot = create_bot(sharded, db)
    bot.shard_ids = list(range(SHARDS))  # simcord's gateway carries every shard
    return bot


@pytest.fixture
def simcord_bot(settings: Settings, db: Database, extra_connections: list[Database]) -> Herbot:
    return process(settings, db, 0)


class Processes:
    def __init__(self, env: Any, settings: Settings, connections: list[Database]) -> None:
        self.env = env
        self.settings = settings
        self.connections = connections

    async def switch(self, *shard_ids: int) -> Herbot:
        """Stop the running process; start one that runs ``shard_ids``."""
        db = await prepare_database(self.settings)
        self.connections.append(db)
        await self.env.restart_bot(process(self.settings, db, *shard_ids))
        return self.env.bot


@pytest.fixture
def processes(simcord_env: Any, settings: Settings, extra_connections: list[Database]) -> Processes:
    # extra_connections close after simcord has stopped the last process (tests/conftest.py)
    return Processes(simcord_env, settings, extra_connections)
