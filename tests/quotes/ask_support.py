"""Test helpers for /ask: the real curated store (not the quote store's tiny fixture) and
the question set written by the curators (tests/data/questions.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bot.config import Settings
from tests.quotes.conftest import with_curated

ROOT = Path(__file__).resolve().parents[2]
CURATED = ROOT / "config" / "quotes"
QUESTIONS = ROOT / "tests" / "data" / "questions.toml"


def real_store(settings: Settings) -> Settings:
    """Settings whose seeder imports config/quotes/ into the empty test database."""
    return with_curated(settings, CURATED)


def questions() -> list[dict[str, Any]]:
    """[[questions]]: q, expect (quote ids; empty = must be declined), style."""
    return tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]


def warm_vectors() -> None:
    """Encode the curated store once per test session, into the in-process vector cache.

    Every test starts a fresh bot on a fresh database; without this each would spend seconds
    encoding the same 200 passages (simcord's settle budget is 5 s on a shared machine).
    """
    from cogs.quotes import curated
    from cogs.quotes.retrieval.dense import DenseIndex
    from cogs.quotes.retrieval.embedder import shared_model

    texts = [q.text for q in curated.load(CURATED).valid_quotes()]
    model = shared_model()
    DenseIndex(model).remember(texts, model.encode(texts))
