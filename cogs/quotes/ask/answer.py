"""What /ask and ``herbot ask`` show: passages with highlighted terms, citations, context.

No discord import: the cog and the CLI both render an :class:`Answer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot.db import Reader
from bot.presentation import ELLIPSIS, escape_markdown
from cogs.quotes.ask import gaps, gaps_store, lexical, passages
from cogs.quotes.ask.answerability import Question
from cogs.quotes.ask.gaps import Kind
from cogs.quotes.ask.hybrid import Mode, Ranked, Retrieval, Retriever
from cogs.quotes.ask.passages import Passage

Segments = list[tuple[str, bool]]


@dataclass(frozen=True, slots=True)
class Result:
    passage: Passage
    segments: Segments  # the text cut into (piece, is_answer_term)
    score: float
    cosine: float | None

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(piece for piece, hit in self.segments if hit))

    def as_json(self, rank: int) -> dict[str, object]:
        return {
            "rank": rank,
            **self.passage.as_json(),
            "highlights": self.terms,
            "score": round(self.score, 6),
            "cosine": None if self.cosine is None else round(self.cosine, 4),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    declined: bool
    mode: Mode
    results: list[Result] = field(default_factory=list)  # the page asked for
    suggestions: list[Result] = field(default_factory=list)  # related, not an answer
    total: int = 0  # relevant passages in all pages
    offset: int = 0
    unknown: list[str] = field(default_factory=list)  # names the store never mentions
    ranking: str = "BM25"  # the keyword leg's ranking on this engine (lexical.ranking)
    # Set when the question rests on something the store never says: the answer shows what
    # the store does say about it, under this note (answerability.premise_note).
    premise: str | None = None
    passing: list[str] = field(default_factory=list)  # names the store mentions in passing only
    best_cosine: float | None = None  # the meaning leg's best passage (gaps.reason)
    learned: Kind | None = None  # decided by what this server taught (gaps.match)
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def gap(self) -> gaps.Reason | None:
        """Why this answer is a knowledge gap for the server's curators, if it is one."""
        if self.learned is not None:
            return None  # a curator decided it already
        return gaps.reason(
            self.declined or not self.results, self.best_cosine, premise=bool(self.premise)
        )

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.results) < self.total

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "declined": self.declined,
            "mode": self.mode,
            "keyword_ranking": self.ranking,
            "total": self.total,
            "offset": self.offset,
            "unknown": self.unknown,
            "premise": self.premise,
            "passing": self.passing,
            "results": [r.as_json(self.offset + i) for i, r in enumerate(self.results, 1)],
            "suggestions": [r.as_json(i) for i, r in enumerate(self.suggestions, 1)],
        }


async def ask(
    retriever: Retriever,
    question: str,
    guild_id: int | None,
    *,
    limit: int = 3,
    offset: int = 0,
    depth: int = 12,
    mode: Mode = "hybrid",
    phrasebooks: gaps_store.Phrasebooks | None = None,
) -> Answer:
    """Answer ``question``: the page ``[offset, offset + limit)`` of relevant passages.

    In a server, what its curators taught decides first (:mod:`cogs.quotes.ask.gaps`);
    ``phrasebooks`` keeps each server's in memory between questions (the bot's, the CLI none).

    The question is parsed once here (:class:`Question`) and passed down the pipeline.
    """
    parsed = Question.parse(question)
    retrieval = await retriever.retrieve(
        parsed, guild_id, depth=max(depth, offset + limit), mode=mode
    )
    vector = retriever.vector_of(parsed)
    learned = None
    if guild_id is not None:
        book = (
            await phrasebooks.get(retriever.db, guild_id)
            if phrasebooks is not None
            else gaps.Phrasebook.of(await gaps_store.learned(retriever.db, guild_id))
        )
        found = gaps.match(question, vector, book)
        if found is not None:
            learned = await _decided(retriever.db, retrieval, found, guild_id)
    page = retrieval.ranked[offset : offset + limit]
    results = await _results(retriever.db, parsed.keywords, page)
    suggestions = await _results(retriever.db, parsed.keywords, retrieval.suggestions)
    return Answer(
        question,
        retrieval.declined,
        retrieval.mode,
        results,
        suggestions,
        total=len(retrieval.ranked),
        offset=offset,
        unknown=retrieval.unknown,
        ranking=lexical.ranking(retriever.db),
        premise=retrieval.premise if learned is None else None,  # a curator decided it
        passing=retrieval.passing,
        best_cosine=retrieval.best_cosine,
        learned=learned,
        vector=vector,
    )


async def _decided(
    db: Reader, retrieval: Retrieval, found: gaps.Match, guild_id: int
) -> Kind | None:
    """What this server taught overrides the ranking: a taught phrasing's quote leads, an
    out-of-scope phrasing declines (the ranking itself is untouched, hybrid.py)."""
    if found.learned.kind == "out_of_scope":
        retrieval.declined, retrieval.ranked, retrieval.suggestions = True, [], []
        return "out_of_scope"
    quote_id = found.learned.quote_id
    passage = await passages.by_quote_id(db, quote_id, guild_id) if quote_id else None
    if passage is None:  # not approved yet, or removed since: the ranking decides
        return None
    lead = Ranked(passage.rowid, fused=1.0, cosine=found.cosine)
    others = [r for r in retrieval.ranked if r.rowid != passage.rowid]
    retrieval.declined, retrieval.ranked, retrieval.suggestions = False, [lead, *others], []
    return "taught"


async def _results(db: Reader, keywords: str, ranked: list[Ranked]) -> list[Result]:
    rowids = [r.rowid for r in ranked]
    found = await passages.fetch(db, rowids)
    # Only meaningful terms are marked (Question.keywords): no stop words, mention syntax
    # or possessive "s".
    marked = await lexical.highlights(db, keywords, rowids) if keywords else {}
    out = []
    for item in ranked:
        passage = found.get(item.rowid)
        if passage is None:  # removed since the search
            continue
        segments = marked.get(item.rowid) or [(passage.text, False)]
        if "".join(piece for piece, _ in segments) != passage.text:
            segments = [(passage.text, False)]  # stray control characters: show it plain
        out.append(Result(passage, segments, item.fused, item.cosine))
    return out


def markdown(segments: Segments, limit: int) -> str:
    """Discord Markdown: answer terms in bold, everything else escaped, within ``limit``."""
    out: list[str] = []
    used = 0
    budget = limit - len(ELLIPSIS)
    for i, (piece, hit) in enumerate(segments):
        rendered = f"**{escape_markdown(piece)}**" if hit else escape_markdown(piece)
        last = i == len(segments) - 1
        if used + len(rendered) <= (limit if last else budget):
            out.append(rendered)
            used += len(rendered)
            continue
        room = budget - used - (4 if hit else 0)
        cut = piece[: max(0, room)]
        while cut and len(escape_markdown(cut)) > room:
            cut = cut[:-1]
        cut = cut.rstrip()
        if cut:
            out.append(f"**{escape_markdown(cut)}**" if hit else escape_markdown(cut))
        out.append(ELLIPSIS)
        break
    return "".join(out)


async def context(
    db: Reader, quote_id: str, guild_id: int | None, *, around: int = 2
) -> tuple[Passage, list[Passage], list[Passage]] | None:
    """The passage and its neighbours in the same source (by paragraph or store order)."""
    passage = await passages.by_quote_id(db, quote_id, guild_id)
    if passage is None:
        return None
    before, after = await passages.neighbours(db, passage, guild_id, around=around)
    return passage, before, after
