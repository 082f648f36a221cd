"""The /ask question set is big and hard enough to mean something (issue 9).

At least 100 in-scope questions, 40 of them hard paraphrases (sharing at most one content
word with any passage that answers them), and 40 out-of-scope ones, 25 of them naming a
film, person or company near the domain; both halves of the split hold some of each.
"""

from __future__ import annotations

from collections import Counter

from cogs.quotes.ask.answerability import named, terms
from tests.quotes.ask.support import DECLINE_STYLES, half, questions
from tests.quotes.test_curated_data import all_quotes


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _content(text: str) -> set[str]:
    return {_stem(t) for t in terms(text)}


def shared_words(question: str, expect: list[str]) -> int:
    """Content words the question shares with the answer that shares most (crude stems)."""
    texts = {q["id"]: q["text"] for q in all_quotes()}
    mine = _content(question)
    return max(len(mine & _content(texts[i])) for i in expect)


def test_question_set_size_and_difficulty():
    items = questions()
    in_scope = [q for q in items if q["style"] in ("direct", "paraphrase")]
    out = [q for q in items if q["style"] in DECLINE_STYLES]
    hard = [q for q in in_scope if shared_words(q["q"], q["expect"]) <= 1]
    naming = [q for q in out if named(q["q"])]
    assert len(in_scope) >= 100, len(in_scope)
    assert len(hard) >= 40, len(hard)
    assert len(out) >= 40, len(out)
    assert len(naming) >= 25, len(naming)


def test_split_is_deterministic_and_balanced():
    counts = Counter((half(q["q"]), q["style"] not in DECLINE_STYLES) for q in questions())
    for which in ("tune", "held-out"):
        assert counts[(which, True)] >= 40, counts
        assert counts[(which, False)] >= 15, counts
    assert half("Who voices Samantha?") == half("Who voices Samantha?")
