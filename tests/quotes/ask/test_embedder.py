"""The numpy MiniLM: verified weights, unit vectors, padding-independent, meaningful."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.db import Database
from cogs.quotes.ask.answer import ask
from cogs.quotes.ask.embedder import MiniLM, ModelUnavailable, model_dir, shared_model
from cogs.quotes.ask.hybrid import Retriever


@pytest.fixture(scope="module")
def model() -> MiniLM:
    return shared_model()


def test_vectors_are_unit_length(model: MiniLM):
    vectors = model.encode(["Who voices Samantha?", "", "x" * 5000])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_batching_and_padding_do_not_change_a_vector(model: MiniLM):
    short = "Her (2013)"
    long = "Theodore writes heartfelt letters for other people at BeautifulHandwrittenLetters.com."
    together = model.encode([short, long])
    assert np.allclose(together[0], model.encode([short])[0], atol=1e-5)
    assert np.allclose(together[1], model.encode([long])[0], atol=1e-5)


def test_a_paraphrase_is_nearer_than_an_unrelated_sentence(model: MiniLM):
    question, answer, unrelated = model.encode(
        [
            "Which actress is the voice of the operating system?",
            "Samantha, the operating system, is voiced by Scarlett Johansson.",
            "Knead the dough and let it rise overnight before baking.",
        ]
    )
    assert question @ answer > 0.5 > question @ unrelated


def test_altered_weights_are_refused():
    with pytest.raises(ModelUnavailable, match="SHA-256"):
        MiniLM.load(expected_sha256="0" * 64)


def test_missing_files_are_refused(tmp_path: Path):
    shutil.copy(model_dir() / "tokenizer.json", tmp_path / "tokenizer.json")
    with pytest.raises(ModelUnavailable, match="missing"):
        MiniLM.load(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(ModelUnavailable, match="SHA-256"):
        MiniLM.load(tmp_path)


async def test_without_the_model_ask_falls_back_to_keywords_with_one_warning(
    db: Database, caplog: pytest.LogCaptureFixture
):
    def absent() -> MiniLM:
        raise ModelUnavailable("the MiniLM weights are not installed")

    retriever = Retriever(db, loader=absent)
    with caplog.at_level(logging.WARNING):
        await retriever.start()
        first = await ask(retriever, "Who voices Samantha?", None)
        await ask(retriever, "What does Samantha feel?", None)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "lexical search only" in warnings[0].getMessage()
    assert retriever.state == "unavailable"
    assert first.mode == "lexical" and not first.declined
    assert first.results[0].passage.id == "film-002"
    assert first.results[0].terms == ["Samantha", "voiced"]


def test_the_weights_are_mapped_from_the_file_not_copied():
    from safetensors.numpy import load_file

    from cogs.quotes.ask.embedder import read_weights

    path = model_dir() / "model.safetensors"
    mapped, copied = read_weights(path), load_file(str(path))
    assert mapped.keys() == copied.keys()
    for name, array in copied.items():
        assert mapped[name].dtype == array.dtype and np.array_equal(mapped[name], array)
        assert not mapped[name].flags.writeable  # views of the read-only map


def test_the_numpy_layers_are_built_only_for_a_numpy_encode():
    model = MiniLM.load()
    assert model._built is None  # the onnxruntime graph reads raw_weights instead
    model.drop_pages()  # harmless: the pages fault back in
    vector = model.encode(["Who voices Samantha?"])[0]
    assert model._built is not None
    assert np.allclose(vector, shared_model().encode(["Who voices Samantha?"])[0], atol=1e-6)
