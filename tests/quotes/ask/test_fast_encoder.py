"""/ask's fast encoder: MiniLM on onnxruntime with 8-bit weights, and its numpy fallback.

Speed is measured by ``bench/ask.py``, never asserted here; these tests pin what must not
change: the same vectors within tolerance, one thread, and a clear fallback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from cogs.quotes.ask import embedder
from cogs.quotes.ask.embedder import MiniLM, ModelUnavailable, fast_model, shared_model

QUESTIONS = Path(__file__).resolve().parents[2] / "data" / "questions.toml"

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def reference() -> MiniLM:
    try:
        return shared_model()
    except ModelUnavailable:
        pytest.skip("the MiniLM wheel is not installed")


@pytest.fixture(scope="module")
def fast(reference: MiniLM):
    from cogs.quotes.ask.onnx_encoder import OnnxMiniLM

    model = fast_model()
    assert isinstance(model, OnnxMiniLM), "onnxruntime is installed: /ask must use it"
    return model


def _questions() -> list[str]:
    import tomllib

    return [q["q"] for q in tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]]


def test_same_model_id_and_weights_as_the_reference(fast, reference: MiniLM):
    # The shipped and cached float32 vectors stay valid for the fast encoder's questions.
    assert (fast.model_id, fast.dimension, fast.weights_sha256) == (
        reference.model_id,
        reference.dimension,
        reference.weights_sha256,
    )


@pytest.mark.slow
def test_vectors_match_the_float32_reference(fast, reference: MiniLM):
    texts = [
        *_questions(),
        "Samantha, the operating system, is voiced by Scarlett Johansson.",
        "x" * 5000,  # truncated to 256 tokens, as the reference does
        "",
    ]
    got, want = fast.encode(texts), reference.encode(texts)
    assert got.shape == want.shape and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosines = (got * want).sum(axis=1)
    assert cosines.min() >= 0.998, f"worst cosine {cosines.min():.4f}"


def test_batching_and_padding_barely_change_a_vector(fast):
    short = "Her (2013)"
    long = "Theodore writes heartfelt letters for other people at BeautifulHandwrittenLetters.com."
    together = fast.encode([short, long])
    assert float(together[0] @ fast.encode([short])[0]) > 0.9999
    assert float(together[1] @ fast.encode([long])[0]) > 0.9999


def test_one_thread_that_does_not_spin(fast):
    options = fast._session.get_session_options()
    assert options.intra_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_without_onnxruntime_numpy_answers_with_one_warning(
    reference: MiniLM, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import raises ImportError
    embedder._load_fast.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger=embedder.__name__):
            first, second = fast_model(), fast_model()
        assert first is reference and second is reference
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "pip install" in warnings[0], warnings
    finally:
        embedder._load_fast.cache_clear()  # the next caller gets onnxruntime again


def test_onnxruntime_keeps_no_telemetry_store_in_the_users_cache(tmp_path: Path):
    """onnxruntime's official wheels start Microsoft's 1DS telemetry on import: a device id and
    an SQLite event store (``Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db``) in the
    user's cache directory, uploaded from there. herbot turns it off (ORT_DISABLE_TELEMETRY)."""
    import os
    import subprocess

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env |= {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    script = (
        "from cogs.quotes.ask.embedder import fast_model\n"
        "model = fast_model()\n"
        "print(model.backend, model.encode(['Who voices Samantha?']).shape)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("onnxruntime int8 (1, 384)"), done.stdout
    left = [str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()]
    assert not [p for p in left if "onnxruntime" in p.lower()], left
