"""The shipped vectors of the curated store (cogs/quotes/ask/curated_vectors.npz).

Stale shipped vectors would make a fresh start encode again (slow) and drop curated
phrasings: this fails until ``python -m cogs.quotes.ask.prebuilt`` is run.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.config import Settings
from cogs.quotes.ask import prebuilt
from cogs.quotes.ask.dense import _PROCESS_VECTORS
from cogs.quotes.ask.embedder import ModelUnavailable, shared_model
from cogs.quotes.ask.hybrid import Retriever
from tests.quotes.ask.support import real_store


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return real_store(settings)


def test_shipped_vectors_match_the_curated_toml():
    problems = prebuilt.problems()
    assert not problems, (
        "the shipped /ask vectors are stale: run `python -m cogs.quotes.ask.prebuilt` "
        f"and commit cogs/quotes/ask/curated_vectors.npz ({'; '.join(problems)})"
    )


def test_shipped_vectors_are_what_the_model_computes():
    try:
        model = shared_model()
    except ModelUnavailable:
        pytest.skip("the MiniLM wheel is not installed")
    shipped = prebuilt.load()
    assert shipped is not None and shipped.fits(model)
    want = prebuilt.wanted()
    key, text = next(iter(want.documents.items()))
    assert np.allclose(model.encode([text])[0], shipped.vectors[key], atol=1e-4)


class CountingEncoder:
    """The real model, counting what it is asked to encode."""

    def __init__(self) -> None:
        self.model = shared_model()
        self.model_id, self.dimension = self.model.model_id, self.model.dimension
        self.weights_sha256 = self.model.weights_sha256
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.model.encode(texts)


async def test_fresh_database_encodes_only_what_changed(db):
    try:
        encoder = CountingEncoder()
    except ModelUnavailable:
        pytest.skip("the MiniLM wheel is not installed")
    _PROCESS_VECTORS.clear()  # as a fresh process: nothing but the shipped file
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE quotes SET text = text || ' (edited)' WHERE id = 'film-crew-editing'"
        )
    retriever = Retriever(db, loader=lambda: encoder)
    await retriever.start()
    assert retriever.state == "ready"
    assert len(encoder.texts) == 1 and "(edited)" in encoder.texts[0]
    async with db.execute("SELECT count(*) FROM ask_vectors") as cur:
        assert (await cur.fetchone())[0] >= 200  # shipped vectors cached in the database
