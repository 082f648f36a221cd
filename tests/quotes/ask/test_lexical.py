"""The lexical leg never raises on any text, and highlighted Markdown stays within limits.

Extends tests/core/test_fts.py (the MATCH builder alone) to the queries /ask really runs:
BM25 search, per-word coverage and highlight() against the real quotes_fts table.
"""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.prepare import prepare_database
from cogs.quotes.ask import lexical
from cogs.quotes.ask.answer import markdown

NASTY = ['"', "-", ":", "AND", "OR", "NOT", "NEAR(", "*", "?", "^", "(", ")", "{", "}", "'", "\x02"]
QUESTIONS = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.lists(
    st.sampled_from([*NASTY, "samantha", "voiced", "her", " "]), max_size=30
).map("".join)


def test_any_question_runs_every_lexical_query(settings: Settings):
    with asyncio.Runner() as runner:
        db = runner.run(prepare_database(settings))
        try:
            rowids = [r[0] for r in runner.run(_all_rowids(db))]

            @settings_(max_examples=200, deadline=None)
            @given(QUESTIONS)
            def check(question: str) -> None:
                hits = runner.run(lexical.search(db, question, 1, limit=5))
                cover = runner.run(lexical.coverage(db, question, rowids))
                marked = runner.run(lexical.highlights(db, question, rowids))
                words = question.split()
                assert set(runner.run(lexical.absent(db, words, 1))) <= set(words)
                assert set(runner.run(lexical.mentioning(db, question, 1, limit=3))) <= set(rowids)
                assert all(0.0 <= c <= 1.0 for c in cover.values())
                assert {h.rowid for h in hits} <= set(rowids)
                for segments in marked.values():
                    assert all(piece for piece, _ in segments)

            check()
        finally:
            runner.run(db.close())


settings_ = settings


async def _all_rowids(db):
    async with db.execute("SELECT rowid FROM quotes") as cur:
        return await cur.fetchall()


def _shown(rendered: str) -> str:
    """The text Discord shows: escapes resolved, bold markers gone."""
    out, i = [], 0
    while i < len(rendered):
        if rendered[i] == "\\" and i + 1 < len(rendered):
            out.append(rendered[i + 1])
            i += 2
        elif rendered.startswith("**", i):
            i += 2
        else:
            out.append(rendered[i])
            i += 1
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.text(min_size=1, max_size=200), st.booleans()), max_size=12),
    st.integers(min_value=8, max_value=2000),
)
def test_markdown_fits_the_limit_and_keeps_the_words(segments, limit):
    rendered = markdown(segments, limit)
    assert len(rendered) <= limit
    original = "".join(piece for piece, _ in segments)
    shown = _shown(rendered)
    if shown.endswith("…") and not original.endswith("…"):
        shown = shown[:-1]
    # What is shown is the start of the original text (cut pieces lose trailing spaces).
    assert original.replace(" ", "").startswith(shown.replace(" ", ""))


def test_markdown_bolds_terms_and_escapes_the_rest():
    assert markdown([("Her ", False), ("voice", True), (" *is* _it_", False)], 100) == (
        "Her **voice** \\*is\\* \\_it\\_"
    )
