"""The quality bar on the curators' question set (tests/data/questions.toml).

Hybrid search must put an expected passage in the top 3 for at least 90% of in-scope
questions, and decline at least 3 of every 4 out-of-scope questions. BM25-only and
MiniLM-only figures are printed beside it (and recorded in docs/ask.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.config import Settings
from bot.db import Database
from cogs.quotes.retrieval.hybrid import Retriever
from tests.quotes.ask_support import Figures, evaluate, real_store, warm_vectors


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return real_store(settings)


@pytest_asyncio.fixture
async def retriever(db: Database) -> AsyncIterator[Retriever]:
    warm_vectors()
    retriever = Retriever(db)
    await retriever.start()
    assert retriever.state == "ready", "the MiniLM wheel must be installed for this test"
    yield retriever


async def test_question_set_quality_bar(
    retriever: Retriever, capsys: pytest.CaptureFixture[str], output_dir: Path
):
    figures: dict[str, Figures] = {}
    for mode in ("lexical", "dense", "hybrid"):
        figures[mode], _ = await evaluate(retriever, mode)
    table = "\n".join([Figures.HEADER, *(f.row() for f in figures.values())])
    hybrid = figures["hybrid"]
    misses = "\n".join(f"- {q}" for q in hybrid.misses)
    report = f"{table}\n\nHybrid misses:\n{misses}\nAnswered out of scope: {hybrid.leaks}\n"
    (output_dir / "ask_quality.md").write_text(report, encoding="utf-8")
    with capsys.disabled():
        print(f"\n/ask quality on tests/data/questions.toml\n{report}")

    assert hybrid.in_scope >= 20 and hybrid.out_of_scope >= 4, "the question set is too small"
    assert hybrid.top3_rate >= 0.90, report
    assert hybrid.declined * 4 >= hybrid.out_of_scope * 3, report
