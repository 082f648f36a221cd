"""Open, migrate, seed and warm up the database: everything before a bot exists.

Kept apart from ``bot.app`` so the CLI jobs that never start a bot (``herbot ask``, exports)
do not import discord.py: a one-shot question answers about 0.4 s sooner.
"""

from __future__ import annotations

import logging
import time

from bot.config import Settings
from bot.db import Database
from bot.feature import Feature, load_features
from bot.forget_ledger import for_settings
from bot.migrations import upgrade

log = logging.getLogger(__name__)


async def prepare_database(settings: Settings, *, warm_up: bool = False) -> Database:
    """Open, migrate and seed the database; with ``warm_up``, run the features' warm-ups."""
    db = await Database.open(settings.database, migrate=False)
    db.forget_ledger = for_settings(settings.database, settings.forget_ledger)
    try:
        features = load_features(settings.features)
        # Several processes may start at once: one migrates and seeds, the others wait for
        # it and find everything in place (seeds are idempotent, not safe side by side).
        async with db.startup_lock():
            await upgrade(db)
            for feature in features:
                if feature.seed is not None:
                    await feature.seed(db, settings)
        if warm_up:
            await warm_up_features(settings, db, features)
    except BaseException:
        await db.close()
        raise
    return db


async def warm_up_features(
    settings: Settings, db: Database, features: tuple[Feature, ...] | None = None
) -> None:
    """Run each feature's optional ``warm_up(db, settings)`` before the bot starts.

    Slow, idempotent start-up work (encoding /ask's passages) belongs here: it stores its
    results for the feature's own start to find, so the gateway connection (and, in tests
    and the demo, simcord's fixed start-up budget) never waits on it.
    """
    for feature in features if features is not None else load_features(settings.features):
        if feature.warm_up is None:
            continue
        started = time.perf_counter()
        await feature.warm_up(db, settings)
        log.info("warmed up %s in %.1f s", feature.name, time.perf_counter() - started)
