"""What a server taught /ask, as files a curator can use: phrasings and evaluation questions.

Pure (no SQL, no discord): ``herbot asked export-taught`` and ``herbot asked eval`` read the rows
with :mod:`cogs.quotes.ask.gaps_store` and write these.

* :func:`taught_toml`: the curated phrasings' format (``[[quotes]]`` with ``id`` and
  ``asks``, as in ``herbot_config/quotes/*.toml``): merge each ``asks`` into the entry of the
  same id, then rebuild the shipped vectors (docs/ask.md, "Curated phrasings").
* :func:`eval_toml`: the format of ``tests/data/questions.toml`` (``[[questions]]`` with
  ``q``, ``expect``, ``style``): a gap answered with a quote expects that quote, an answer
  rated helpful more than not expects the quote it led with, a gap put out of scope expects
  a decline. Answers rated mostly unhelpful say nothing of the right answer: left out.
"""

from __future__ import annotations

from collections.abc import Iterable

import tomli_w


def _header(lines: Iterable[str]) -> str:
    return "".join(f"# {line}\n" for line in lines) + "\n"


def taught_toml(guild_id: int, taught: list[tuple[str, str]]) -> str:
    by_quote: dict[str, list[str]] = {}
    for quote_id, question in taught:
        asks = by_quote.setdefault(quote_id, [])
        if question not in asks:
            asks.append(question)
    body = tomli_w.dumps({"quotes": [{"id": q, "asks": a} for q, a in by_quote.items()]})
    return (
        _header(
            [
                f"Phrasings taught by the curators of server {guild_id}"
                " (herbot asked export-taught).",
                "Merge each entry's asks into the entry of the same id in herbot_config/quotes/,",
                "then rebuild the vectors: python -m cogs.quotes.ask.prebuilt",
            ]
        )
        + body
    )


def eval_questions(
    answered: list[tuple[str, str]],
    rated: list[tuple[str, str, int, int]],
    out_of_scope: list[str],
) -> list[dict[str, object]]:
    """``answered``: (question, quote id) of gaps answered with a quote; ``rated``: (question,
    quote id, helpful, not helpful); ``out_of_scope``: questions this server declines."""
    found: dict[str, dict[str, object]] = {}
    for question, quote_id in answered:
        found.setdefault(question.casefold(), {"q": question, "expect": [], "style": "paraphrase"})
        expect = found[question.casefold()]["expect"]
        assert isinstance(expect, list)
        if quote_id not in expect:
            expect.append(quote_id)
    for question, quote_id, helpful, unhelpful in rated:
        if helpful <= unhelpful or question.casefold() in found:
            continue
        found[question.casefold()] = {"q": question, "expect": [quote_id], "style": "paraphrase"}
    for question in out_of_scope:
        found.setdefault(
            question.casefold(), {"q": question, "expect": [], "style": "out-of-scope"}
        )
    return list(found.values())


def eval_toml(guild_id: int, questions: list[dict[str, object]]) -> str:
    return _header(
        [
            f"Questions asked in server {guild_id} (herbot ask eval --from-server): answered",
            "gaps, answers rated helpful, and questions put out of scope. The format of",
            "tests/data/questions.toml; review each before adding it to the set.",
        ]
    ) + tomli_w.dumps({"questions": questions})
