"""Test helpers for /ask: the real curated store (not the quote store's tiny fixture) and
the question set written by the curators (tests/data/questions.toml)."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings
from tests.quotes.conftest import with_curated

ROOT = Path(__file__).resolve().parents[3]
CURATED = ROOT / "herbot_config" / "quotes"
QUESTIONS = ROOT / "tests" / "data" / "questions.toml"


def real_store(settings: Settings) -> Settings:
    """Settings whose seeder imports herbot_config/quotes/ into the empty test database."""
    return with_curated(settings, CURATED)


def questions() -> list[dict[str, Any]]:
    """[[questions]]: q, expect (quote ids; empty = must be declined), style."""
    return tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]


def half(question: str) -> str:
    """ "tune" or "held-out": a fixed split by the question's SHA-256 (not chosen by hand).

    Thresholds, weights, aliases and phrasings are tuned looking at the tune half only; the
    held-out half says how /ask does on questions nobody tuned for.
    """
    return "held-out" if hashlib.sha256(question.encode("utf-8")).digest()[0] % 2 else "tune"


def warm_vectors() -> None:
    """Encode the curated store once per test session, into the in-process vector cache.

    Every test starts a fresh bot on a fresh database; without this each would spend seconds
    encoding the same 200 passages (simcord's settle budget is 5 s on a shared machine).
    """
    from cogs.quotes import curated
    from cogs.quotes.ask.dense import DenseIndex, document
    from cogs.quotes.ask.embedder import shared_model
    from cogs.quotes.quote import join_tags

    texts = [
        document(q.text, q.locator, join_tags(q.tags)) for q in curated.load(CURATED).valid_quotes()
    ]
    model = shared_model()
    DenseIndex(model).remember(texts, model.encode(texts))


DECLINE_STYLES = {"out-of-scope", "near-miss", "unrelated"}
IN_SCOPE_KINDS = ("curated", "article", "film", "interpretive")
_KIND_ORDER = [*IN_SCOPE_KINDS, "curated out of scope", "near-miss", "unrelated", "false-premise"]


def ORDER(kind: str) -> int:
    return _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)


def kind_of(item: dict[str, Any]) -> str:
    """The question's class in the by-kind table: the blind set's kind, or curated."""
    if item["style"] == "false-premise":
        return "false-premise"
    if item["style"] in DECLINE_STYLES:
        kind = item.get("kind")
        return kind if kind in ("near-miss", "unrelated") else "curated out of scope"
    return item.get("kind", "curated")


def corrected(answer: Any, expect: set[str]) -> bool:
    """A false premise answered honestly: a premise note and a correcting passage in the top 3."""
    return (
        not answer.declined
        and bool(answer.premise)
        and bool(expect & {r.passage.id for r in answer.results[:3]})
    )


@dataclass
class Figures:
    """How one search mode does on the question set."""

    mode: str
    in_scope: int = 0
    top1: int = 0  # the first passage is an expected one (not declined)
    top3: int = 0  # expected passage among the first 3 (a wrongly declined question misses)
    ranked_top3: int = 0  # the same, judging the ranking alone (no declines)
    wrongly_declined: int = 0
    out_of_scope: int = 0
    declined: int = 0  # out-of-scope questions declined
    false_premises: int = 0
    premise_ok: int = 0  # false premises declined or corrected
    misses: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)  # out-of-scope questions answered
    # kind -> [questions, passed, hit@1]: passed is hit@3 in scope, declined for questions to
    # decline, declined or corrected for false premises (see tests/data/questions.toml).
    kinds: dict[str, list[int]] = field(default_factory=dict)
    premise_notes: int = 0  # in-scope questions answered with a premise note (false alarms)

    def kind_rate(self, kind: str) -> float:
        n, passed, _ = self.kinds.get(kind, [0, 0, 0])
        return passed / n if n else 0.0

    def kind_rows(self) -> list[str]:
        return [
            f"| {self.mode} | {kind} | {passed}/{n} ({passed / n:.0%}) | "
            + (f"{top1}/{n} ({top1 / n:.0%}) |" if kind in IN_SCOPE_KINDS else "– |")
            for kind, (n, passed, top1) in sorted(self.kinds.items(), key=lambda kv: ORDER(kv[0]))
        ]

    KIND_HEADER = (
        "| search | kind | passed (hit@3 / declined / declined or corrected) | hit@1 |\n"
        "|---|---|---|---|"
    )

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.in_scope if self.in_scope else 0.0

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.in_scope if self.in_scope else 0.0

    @property
    def declined_rate(self) -> float:
        return self.declined / self.out_of_scope if self.out_of_scope else 0.0

    def row(self) -> str:
        ranked = self.ranked_top3 / self.in_scope if self.in_scope else 0.0
        return (
            f"| {self.mode} | {self.top1}/{self.in_scope} ({self.top1_rate:.0%}) "
            f"| {self.ranked_top3}/{self.in_scope} ({ranked:.0%}) "
            f"| {self.top3}/{self.in_scope} ({self.top3_rate:.0%}) "
            f"| {self.wrongly_declined} | {self.declined}/{self.out_of_scope} |"
        )

    HEADER = (
        "| search | hit@1 | top 3, ranking alone | hit@3 (with declines) | in scope declined "
        "| out of scope declined |\n|---|---|---|---|---|---|"
    )


async def evaluate(
    retriever: Any, mode: str, *, which: str | None = None
) -> tuple[Figures, list[dict[str, Any]]]:
    """Run every question (or one half: "tune" / "held-out"); also return per-question
    signals used to calibrate declines."""
    from cogs.quotes.ask import passages
    from cogs.quotes.ask.answer import ask

    figures = Figures(mode if which is None else f"{mode}, {which}")
    signals = []
    for item in questions():
        if which is not None and half(item["q"]) != which:
            continue
        answer = await ask(retriever, item["q"], None, limit=3, mode=mode)
        retrieval = await retriever.retrieve(item["q"], None, mode=mode)
        head = await passages.fetch(retriever.db, [r.rowid for r in retrieval.fused[:3]])
        got = {r.passage.id for r in answer.results}
        expect = set(item["expect"])
        kind = kind_of(item)
        counts = figures.kinds.setdefault(kind, [0, 0, 0])
        counts[0] += 1
        signals.append(
            {
                "q": item["q"],
                "in_scope": bool(expect) and item["style"] != "false-premise",
                "kind": kind,
                "cosine": retrieval.best_cosine,
                "coverage": retrieval.best_coverage,
                "declined": answer.declined,
            }
        )
        if item["style"] == "false-premise":
            figures.false_premises += 1
            ok = answer.declined or corrected(answer, expect)
            figures.premise_ok += ok
            counts[1] += ok
            if not ok:
                figures.leaks.append(item["q"])
        elif expect:
            top1 = bool(answer.results) and answer.results[0].passage.id in expect
            counts[1] += bool(expect & got)
            counts[2] += top1
            figures.premise_notes += bool(answer.premise)
            figures.in_scope += 1
            figures.wrongly_declined += answer.declined
            figures.ranked_top3 += bool(expect & {p.id for p in head.values()})
            figures.top1 += bool(answer.results) and answer.results[0].passage.id in expect
            if expect & got:
                figures.top3 += 1
            else:
                figures.misses.append(item["q"])
        else:
            figures.out_of_scope += 1
            figures.declined += answer.declined
            counts[1] += answer.declined
            if not answer.declined:
                figures.leaks.append(item["q"])
    return figures, signals
