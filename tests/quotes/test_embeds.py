"""Every real curated quote fits Discord's limits as an embed, a citation and a choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import database
from bot.presentation import EMBED_TOTAL_LIMIT, MESSAGE_LIMIT
from cogs.quotes import curated, import_store, quote_store, review_store
from cogs.quotes.ui import choice_label, cited_text, quote_embed
from tests.quotes.test_curated import REAL_DIR


async def test_real_quotes_fit_discord_limits(tmp_path: Path):
    real = curated.load(REAL_DIR)
    if not real.quotes:
        pytest.skip("herbot_config/quotes/ has no quotes yet")
    async with database(tmp_path / "limits.db") as db:
        async with db.transaction() as tx:
            await import_store.import_curated(tx, real)
        for q in real.quotes:
            stored = await quote_store.get(db, q.id, None)
            embed = quote_embed(stored)
            assert len(embed) <= EMBED_TOTAL_LIMIT
            assert embed.description == q.text  # never cut: curated text is <= 1000
            assert len(cited_text(stored)) <= MESSAGE_LIMIT
            assert q.id in cited_text(stored) and stored.speaker in cited_text(stored)
            assert len(choice_label(stored)) <= 100


async def test_an_over_long_submission_is_cut_with_an_ellipsis_but_keeps_its_citation(db):
    async with db.transaction() as tx:
        qid = await review_store.submit_pending(
            tx,
            review_store.Submission(
                text="word " * 780, speaker="alice", guild_id=1, submitted_by=2
            ),
        )
        await review_store.approve(tx, qid, 1, 3)
    q = await quote_store.get(db, qid, 1)
    text = cited_text(q)
    assert len(text) <= MESSAGE_LIMIT and "…" in text
    assert text.endswith(f"— alice — Discord discussion  `{qid}`")
