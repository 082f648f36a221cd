"""The FTS5 query builder must never raise and never produce invalid FTS syntax."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.fts import match_query, tokens

_conn = sqlite3.connect(":memory:")
_conn.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
_conn.execute("INSERT INTO t VALUES ('Samantha is voiced by Scarlett Johansson')")


def _run(query: str) -> list[tuple]:
    return _conn.execute("SELECT body FROM t WHERE t MATCH ?", (query,)).fetchall()


NASTY = ['"', "-", ":", "AND", "OR", "NOT", "NEAR(", "*", "?", "^", "(", ")", "{", "}", "'"]


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
    | st.lists(st.sampled_from([*NASTY, "samantha", "voiced", " "]), max_size=20).map("".join)
)
def test_any_text_gives_a_valid_query_or_none(text: str):
    for prefix in (False, True):
        query = match_query(text, prefix_last=prefix)
        if query is not None:
            _run(query)  # raises sqlite3.OperationalError on invalid syntax


def test_operators_are_words_not_syntax():
    assert match_query('Samantha AND "voiced" -by') == '"samantha" OR "voiced"'
    assert _run(match_query("NOT samantha") or "") != []


def test_prefix_only_while_typing_a_word():
    assert match_query("scarl", prefix_last=True) == '"scarl"*'
    assert match_query("scarl ", prefix_last=True) == '"scarl"'
    assert _run(match_query("scarl", prefix_last=True) or "")


def test_stopwords_dropped_unless_nothing_else():
    assert tokens("who is the voice of Samantha") == ["voice", "samantha"]
    assert tokens("who is it") == ["who", "is", "it"]
    assert match_query("?!--") is None
