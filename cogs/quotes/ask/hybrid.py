"""Hybrid retrieval: BM25 and MiniLM fused by reciprocal rank, and when to decline.

Answerability first (:mod:`cogs.quotes.ask.answerability`): a question that names a
work, person or organisation no visible passage mentions is declined, whatever else it
shares with the store. Then the decline rule (thresholds calibrated on the tune half of
tests/data/questions.toml, see docs/ask.md): a question is answered when the best
passage's cosine similarity is at least ``DENSE_CONFIDENT``, or when it is at least
``DENSE_FLOOR`` and some lexical hit contains at least ``LEXICAL_STRONG`` of the question's
content words. Otherwise nothing in the store is about the question and /ask declines,
offering the nearest passages as "related". Without the model, the lexical rule decides.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bot.db import Database
from cogs.quotes.ask import answerability, lexical, passages, prebuilt
from cogs.quotes.ask.answerability import Focus, Question
from cogs.quotes.ask.dense import (
    INLINE_ENCODE_LIMIT,
    DenseIndex,
    Encoder,
    RunInThread,
    run_in_thread,
)
from cogs.quotes.ask.embedder import ModelUnavailable, fast_model

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "lexical", "dense"]

RRF_K = 60  # the usual constant (Cormack et al. 2009): damps the head of each ranking
# The meaning leg, with curated phrasings, is the better judge of paraphrases; its votes
# count this much more in the fusion (tuned on the tune half of the question set).
DENSE_WEIGHT = 1.5
RERANK_HEAD = 5  # fused candidates reordered by cosine + COVERAGE_WEIGHT x word coverage
COVERAGE_WEIGHT = 0.4  # 0.8 before the domain adapter; re-tuned on the tune half
# A cast entry about the one a "who is X" question names leads the head (answerability.Focus).
FOCUS_WEIGHT = 0.3
DENSE_CONFIDENT = 0.34
DENSE_FLOOR = 0.25
# A declined question lists "Related (not an answer)" passages only this near in meaning.
RELATED_FLOOR = 0.3
LEXICAL_STRONG = 0.75
# A name the store mentions in at most this many passages is mentioned "in passing".
PASSING_MENTIONS = 2
# An unsupported premise: the best passage is at least this near (cosine) without the words
# the store never uses as with them (tuned on the tune half; see _unsupported_premise).
PREMISE_MARGIN = 0.01
LEXICAL_ONLY = 0.6
CANDIDATES = 50  # per leg, before fusion
RECENT_QUESTIONS = 256
# Up to this many passages the dense search (one matrix-vector product, ~2 ms at 10k) runs
# on the event loop; above it, in a worker thread (~20 ms at 100k would stall the bot).
INLINE_SEARCH_ROWS = 20_000


@dataclass(slots=True)
class Ranked:
    rowid: int
    fused: float = 0.0
    cosine: float | None = None
    lexical_rank: int | None = None
    dense_rank: int | None = None
    coverage: float = 0.0


@dataclass(slots=True)
class Retrieval:
    question: str
    mode: Mode
    declined: bool
    ranked: list[Ranked] = field(default_factory=list)
    suggestions: list[Ranked] = field(default_factory=list)
    fused: list[Ranked] = field(default_factory=list)  # every candidate, before any decline
    best_cosine: float | None = None
    best_coverage: float = 0.0
    unknown: list[str] = field(default_factory=list)  # names the store never mentions
    premise: str | None = None  # the note shown over an answer to an unsupported premise
    passing: list[str] = field(default_factory=list)  # names only mentioned in passing


def rrf(
    rankings: list[list[int]], k: int = RRF_K, weights: list[float] | None = None
) -> dict[int, float]:
    scores: dict[int, float] = {}
    for i, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[i]
        for rank, rowid in enumerate(ranking, start=1):
            scores[rowid] = scores.get(rowid, 0.0) + weight / (k + rank)
    return scores


def decide(
    mode: Mode, best_cosine: float | None, best_coverage: float, ranked: list[Ranked]
) -> tuple[bool, list[Ranked]]:
    """Whether the store answers the question, and which ranked passages are worth showing."""
    if mode == "lexical":
        answered = best_coverage >= LEXICAL_ONLY
        return answered, [r for r in ranked if r.coverage > 0]
    top = best_cosine if best_cosine is not None else -1.0
    lexical_backing = mode == "hybrid" and best_coverage >= LEXICAL_STRONG
    answered = top >= DENSE_CONFIDENT or (top >= DENSE_FLOOR and lexical_backing)
    relevant = [
        r
        for r in ranked
        if (r.cosine or 0.0) >= DENSE_FLOOR
        or r.coverage >= LEXICAL_STRONG
        or (r.lexical_rank or CANDIDATES + 1) <= 3
    ]
    return answered, relevant


def with_leaders(leaders: list[int], order: list[int], head: int = 3) -> list[int]:
    """``order`` with each leg's first choice inside its first ``head`` places.

    RRF rewards passages both legs rank fairly well; a passage one leg ranks first and the
    other ranks poorly (a paraphrase BM25 cannot see, a name MiniLM does not know) can fall
    out of the top 3. Each leg's leader is its most precise answer, so it keeps a place.
    """
    top = order[:head]
    for leader in leaders:
        if leader not in top:
            others = [r for r in top if r not in leaders]
            if not others:
                break
            top.remove(others[-1])
            top.append(leader)
    top.sort(key=order.index)
    return top + [r for r in order if r not in top]


class Retriever:
    """Owns the dense index and the model's state: 'loading', 'ready' or 'unavailable'."""

    def __init__(
        self,
        db: Database,
        *,
        loader: Callable[[], Encoder] = fast_model,
        run: RunInThread = run_in_thread,
        claim_owner: str | None = None,
    ) -> None:
        self.db = db
        self._claim_owner = claim_owner  # big encodes are claimed across processes
        self._loader = loader
        self._run = run
        self.index: DenseIndex | None = None
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self.state = "loading"

    async def start(self, *, background: bool = False) -> None:
        """Load the model and the passage vectors off the event loop; lexical until then.

        ``background``: passages without a cached vector (a first start, a big import) are
        encoded by a background thread instead of before returning; the bot uses this.
        """
        try:
            encoder = await self._run(self._loader)
        except ModelUnavailable as exc:
            self.state = "unavailable"
            log.warning("/ask uses lexical search only: %s", exc)
            return
        index = DenseIndex(encoder, run=self._run, claim_owner=self._claim_owner)
        shipped = await self._run(prebuilt.load)
        if shipped is not None and shipped.fits(encoder):
            index.use_prebuilt(shipped.vectors, shipped.ask_matrices())
        await index.refresh(self.db, inline_limit=INLINE_ENCODE_LIMIT if background else None)
        self.index = index
        self.state = "ready"
        log.info("/ask dense index ready: %d passages", len(index))

    async def _query_vector(self, question: str) -> np.ndarray:
        """The question's vector; recent ones are kept ("More results" asks again)."""
        assert self.index is not None
        vector = self._recent.get(question)
        if vector is None:
            vector = (await self._run(self.index.encoder.encode, [question]))[0]
            self._recent[question] = vector
            while len(self._recent) > RECENT_QUESTIONS:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(question)
        return vector

    def vector_of(self, question: Question) -> np.ndarray | None:
        """The question's vector if this process encoded it lately (``retrieve`` does), else
        None: what /ask's loop stores and compares (:mod:`cogs.quotes.ask.gaps`)."""
        return self._recent.get(question.rewritten) if self.state == "ready" else None

    async def encode(self, question: Question) -> np.ndarray | None:
        """The question's vector (cached, or encoded now), None until the model is ready."""
        return await self._query_vector(question.rewritten) if self.state == "ready" else None

    def invalidate(self) -> None:
        if self.index is not None:
            self.index.invalidate()

    async def _lead(self, focus: Focus, head: list[Ranked]) -> list[Ranked]:
        """``head`` by meaning, word coverage and the question's :class:`Focus`."""
        found = await passages.fetch(self.db, [r.rowid for r in head])
        tags = {r.rowid: found[r.rowid].tags if r.rowid in found else () for r in head}
        head = sorted(
            head,
            key=lambda r: (
                -(
                    (r.cosine or 0.0)
                    + COVERAGE_WEIGHT * r.coverage
                    + FOCUS_WEIGHT * focus.bonus(tags[r.rowid])
                )
            ),
        )
        # A headline goes just after the best passage that is not one.
        first = next((i for i, r in enumerate(head) if not focus.demotes(tags[r.rowid])), 0)
        lead = head[first]
        return [lead, *(r for r in head if r is not lead)]

    async def _unsupported_premise(
        self, question: Question, guild_id: int | None, lead: list[Ranked]
    ) -> str | None:
        """The premise note when a question that takes something for granted says something
        the store never says, else None.

        A claim word no visible passage uses is a candidate ("Why does Samantha get a robot
        body?": nothing mentions a robot). Members' paraphrases use such words too ("Why does
        the AI vanish?"), so the meaning leg decides: the question is encoded again without
        those words, and if the best passage is then at least about as near (the words
        brought nothing it holds), the premise is unsupported. A synonym of what the passage
        says ("vanish" for leaving) carries meaning the passage holds, and drops its cosine.
        """
        claims = [t for t in question.terms if t not in answerability.ASKING_WORDS]
        unsupported = await lexical.absent(self.db, claims, guild_id)
        if not unsupported or not lead or lead[0].cosine is None or self.index is None:
            return None
        without = answerability.without_words(question.rewritten, unsupported)
        if not answerability.terms(without):
            return None
        vector = await self._query_vector(without)
        hits = self.index.search(vector, guild_id, CANDIDATES)
        cosine = next((h.cosine for h in hits if h.rowid == lead[0].rowid), -1.0)
        if cosine < lead[0].cosine - PREMISE_MARGIN:
            return None
        known = [t for t in claims if t not in unsupported]
        return answerability.premise_note(unsupported, known)

    async def retrieve(
        self,
        question: str | Question,
        guild_id: int | None,
        *,
        depth: int = 10,
        mode: Mode = "hybrid",
    ) -> Retrieval:
        """Ranked visible passages for ``question`` (up to ``depth``), or a decline."""
        if isinstance(question, str):
            question = Question.parse(question)
        index = self.index if self.state == "ready" else None
        if index is None:
            mode = "lexical"
        use_dense = index is not None and mode != "lexical"
        keywords = question.keywords or question.raw
        # The query encodes in a thread while the keyword leg runs in aiosqlite's.
        encoding = (
            asyncio.ensure_future(self._query_vector(question.rewritten)) if use_dense else None
        )
        fresh = False
        try:
            lex = (
                await lexical.search(self.db, keywords, guild_id, limit=CANDIDATES)
                if mode != "dense"
                else []
            )
            unknown = await unknown_names(self.db, question.names, guild_id)
            if use_dense and index is not None:
                fresh = await index.ensure_fresh(self.db)
        finally:
            vector = await encoding if encoding is not None else None
        dense = []
        if index is not None and vector is not None:
            if len(index) <= INLINE_SEARCH_ROWS:
                # A few ms at 10k rows: less than a hop to a worker thread and back on a
                # busy machine (bench/ask.py).
                dense = index.search(vector, guild_id, CANDIDATES)
            else:
                dense = await self._run(index.search, vector, guild_id, CANDIDATES)
            if not fresh:
                # While a background encode runs the matrix is not rebuilt: drop what was
                # removed since (a current matrix holds approved passages only).
                shown = await passages.visible(self.db, [h.rowid for h in dense], guild_id)
                dense = [h for h in dense if h.rowid in shown]
            if not dense and mode == "hybrid":
                mode = "lexical"  # vectors still being computed: keyword rules decide

        cosines = {hit.rowid: hit.cosine for hit in dense}
        lex_ranks = {hit.rowid: i for i, hit in enumerate(lex, start=1)}
        dense_ranks = {hit.rowid: i for i, hit in enumerate(dense, start=1)}
        fused = rrf([[h.rowid for h in lex], [h.rowid for h in dense]], weights=[1.0, DENSE_WEIGHT])
        order = sorted(fused, key=lambda r: (-fused[r], -cosines.get(r, -1.0)))
        order = with_leaders([h.rowid for h in lex[:1]] + [h.rowid for h in dense[:1]], order)
        ranked = [
            Ranked(r, fused[r], cosines.get(r), lex_ranks.get(r), dense_ranks.get(r)) for r in order
        ]
        check = list(dict.fromkeys([h.rowid for h in lex[:10]] + order[:depth]))
        own_terms = " ".join(question.terms)
        cover = await lexical.coverage(
            self.db, own_terms or question.raw, check, answerability.aliases().words
        )
        for item in ranked:
            item.coverage = cover.get(item.rowid, 0.0)
        if dense and RERANK_HEAD:
            # The head is reordered by meaning plus the share of the question's words each
            # passage holds: RRF knows ranks only, and a close second in both legs (a
            # neighbouring cast entry) can outrank the passage that names what was asked.
            head = ranked[:RERANK_HEAD]
            ranked = await self._lead(question.focus, head) + ranked[RERANK_HEAD:]

        best_cosine = dense[0].cosine if dense else None
        best_coverage = max(cover.values(), default=0.0)
        answered, relevant = decide(mode, best_cosine, best_coverage, ranked)
        passing = await passing_names(self.db, question, guild_id, known=unknown)
        answered = answered and not unknown and not passing and not question.request
        premise = None
        if answered and question.presupposes and mode != "lexical":
            premise = await self._unsupported_premise(question, guild_id, relevant[:1])
        result = Retrieval(
            question.raw,
            mode,
            not answered,
            fused=ranked,
            best_cosine=best_cosine,
            best_coverage=best_coverage,
            unknown=unknown,
            passing=passing,
            premise=premise,
        )
        if answered:
            result.ranked = relevant[:depth]
        else:
            result.suggestions = related(ranked, bool(dense))
        return result


def related(ranked: list[Ranked], dense: bool) -> list[Ranked]:
    """Up to three passages a declined question may still want, nearest meaning first.

    Only what is near enough to be about the same thing: "best pizza recipe" is nearest to
    the film's music credits (cosine 0.23), which no member would call related.
    """
    if dense:
        near = sorted(ranked, key=lambda r: -(r.cosine or 0.0))
        return [r for r in near if (r.cosine or 0.0) >= RELATED_FLOOR][:3]
    return [r for r in ranked if r.coverage >= LEXICAL_ONLY][:3]


async def passing_names(
    db: Database, question: Question, guild_id: int | None, *, known: Sequence[str] = ()
) -> list[str]:
    """The names the question asks about that the store mentions only in passing.

    "Who did the music for Blade Runner 2049?": the store names that film once, as echoing a
    scene of Her; nothing there is about its music. A name that at most ``PASSING_MENTIONS``
    passages contain, none of which holds any other word the question asks about (words
    about the sources, "article", "author", do not count), is not what the store is about:
    /ask declines. Names an alias lists (the store's own people) are never in passing.
    """
    table = answerability.aliases()
    out = []
    for name in question.names:
        if name in known or table.known(name) or not answerability.known_if(name)[0]:
            continue  # ("Theodore and Amy": a name with connectors is read by its parts)
        rowids = await lexical.mentioning(db, name, guild_id, limit=PASSING_MENTIONS + 1)
        if not rowids or len(rowids) > PASSING_MENTIONS:
            continue
        own = {t for t in answerability.terms(name)}
        rest = [
            t
            for t in question.terms
            if t not in own
            and t not in answerability.ASKING_WORDS
            and t not in answerability.SOURCE_WORDS
        ]
        if not rest:
            continue
        cover = await lexical.coverage(db, " ".join(rest), rowids, table.words)
        if not any(cover.values()):
            out.append(name)
    return out


async def unknown_names(db: Database, names: Sequence[str], guild_id: int | None) -> list[str]:
    """The ``names`` a question uses (:attr:`Question.names`) that no passage ``guild_id``
    may see mentions.

    A name is known when an alias lists it or a passage contains it as a phrase (or its
    parts, see :func:`answerability.known_if`).
    """
    table = answerability.aliases()
    rules = {n: answerability.known_if(n) for n in names if not table.known(n)}
    if not rules:
        return []
    phrases = list(dict.fromkeys(p for _, ps in rules.values() for p in ps))
    found = await lexical.mentioned(db, [p for p in phrases if not table.known(p)], guild_id)
    found |= {p for p in phrases if table.known(p)}
    unknown = []
    for name, (any_of, forms) in rules.items():
        hits = [f in found for f in forms]
        if not (any(hits) if any_of else all(hits)):
            unknown.append(name)
    return unknown
