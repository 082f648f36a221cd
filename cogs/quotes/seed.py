"""Seeding the curated quote store into an empty database, so /ask works after a fresh clone."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.db import Database
from cogs.quotes import curated, import_store
from cogs.quotes.config import QuotesConfig

log = logging.getLogger(__name__)


async def ensure_curated(db: Database, settings: Settings) -> None:
    """Import herbot_config/quotes/ when the store has no curated rows yet; idempotent.

    A database that already has curated rows is left alone (``herbot quotes import``
    refreshes it on purpose). Bad rows are skipped with a warning rather than stopping the
    bot; ``herbot quotes validate`` lists them.
    """
    if await import_store.has_curated(db):
        return
    config = QuotesConfig.from_settings(settings)
    if not config.curated_dir.is_dir():
        log.warning("no curated quotes at %s: the store starts empty", config.curated_dir)
        return
    loaded = curated.load(config.curated_dir, max_text=config.max_text_length)
    if not loaded.quotes:
        log.info("no curated quotes in %s yet", config.curated_dir)
        return
    async with db.transaction() as tx:
        report = await import_store.import_curated(tx, loaded)
    log.info("seeded the curated quote store from %s: %s", config.curated_dir, report.summary())
    if loaded.problems:
        log.warning(
            "%d problems in %s (run `herbot quotes validate`); first: %s",
            len(loaded.problems),
            config.curated_dir,
            loaded.problems[0],
        )
