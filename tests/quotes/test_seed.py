"""A fresh clone: the first database open imports the curated store, later opens don't."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.prepare import prepare_database
from cogs.quotes import curated, quote_store, review_store
from cogs.quotes.config import QuotesConfig
from tests.quotes.conftest import with_curated


async def test_the_default_settings_seed_the_real_curated_store(tmp_path: Path):
    settings = replace(
        load_settings(env={"HERBOT_DB": str(tmp_path / "fresh.db")}, dotenv=False), token=None
    )
    config = QuotesConfig.from_settings(settings)
    real = curated.load(config.curated_dir, max_text=config.max_text_length)
    if not real.quotes:
        pytest.skip("herbot_config/quotes/ has no quotes yet")
    db = await prepare_database(settings)
    try:
        assert await quote_store.count_visible(db, None) == len(real.valid_quotes())
    finally:
        await db.close()


async def test_seeding_happens_only_on_an_empty_store(settings, curated_copy: Path):
    settings = with_curated(settings, curated_copy)
    db = await prepare_database(settings)
    try:
        async with db.transaction() as tx:
            assert await review_store.remove(tx, "fs-001", 1, 2)
    finally:
        await db.close()
    (curated_copy / "extra.toml").write_text(
        '[[quotes]]\nid = "new-1"\ntext = "t"\nspeaker = "s"\nsource = "her-film"\nlocator = "x"\n',
        encoding="utf-8",
    )
    db = await prepare_database(settings)  # a restart: nothing is re-imported
    try:
        assert await quote_store.get(db, "new-1", None) is None
        assert await quote_store.get(db, "fs-001", None) is None
    finally:
        await db.close()


async def test_a_missing_curated_dir_starts_an_empty_store(settings, tmp_path: Path):
    db = await prepare_database(with_curated(settings, tmp_path / "nowhere"))
    try:
        assert await quote_store.count_visible(db, None) == 0
    finally:
        await db.close()
