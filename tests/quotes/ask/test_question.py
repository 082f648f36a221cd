"""A question is read once into a Question (cogs/quotes/ask/answerability.py) and passed down:
the keyword query, the alias rewrite, the focus and the names come from that one reading."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.prepare import prepare_database
from cogs.quotes.ask import answer as answers
from cogs.quotes.ask import answerability
from cogs.quotes.ask.answerability import Aliases, Question
from cogs.quotes.ask.hybrid import Retriever


def test_a_question_is_parsed_into_its_forms():
    q = Question.parse("Who  plays Theo? <@123> https://example.com/theo")
    assert q.raw == "Who  plays Theo? <@123> https://example.com/theo"
    assert q.text == "Who plays Theo?"
    assert q.rewritten == "Who plays Theodore?"
    assert q.terms == ("plays", "theodore")
    assert q.keywords.split()[:2] == ["plays", "theodore"]
    assert q.focus.subject == "theodore"
    assert "Theo" in q.names


def test_alias_words_join_the_keyword_query_once():
    q = Question.parse("What is Theodore's job?")
    table = answerability.aliases()
    extra = [w.casefold() for t in q.terms for w in table.words.get(t, ())]
    assert q.keywords.split() == list(dict.fromkeys([*q.terms, *extra]))


async def test_one_ask_parses_and_rewrites_its_question_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    calls = {"parse": 0, "rewrite": 0}
    parse, rewrite = Question.parse, Aliases.rewrite

    def counted_parse(cls: type[Question], raw: str) -> Question:
        calls["parse"] += 1
        return parse(raw)

    def counted_rewrite(self: Aliases, question: str) -> str:
        calls["rewrite"] += 1
        return rewrite(self, question)

    monkeypatch.setattr(Question, "parse", classmethod(counted_parse))
    monkeypatch.setattr(Aliases, "rewrite", counted_rewrite)
    db = await prepare_database(settings)
    try:
        answer = await answers.ask(Retriever(db), "Who plays Theo?", None)  # lexical: not started
    finally:
        await db.close()
    assert answer.question == "Who plays Theo?"
    assert calls == {"parse": 1, "rewrite": 1}
