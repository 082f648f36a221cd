"""/ask's loop: which questions are knowledge gaps, how similar ones group, what a server taught.

Pure rules over the encoder's unit vectors (no discord, no SQL; the SQL is in
:mod:`cogs.quotes.ask.gaps_store`):

* A question is a **gap** when /ask declined it, or answered it *weakly*: the best passage's
  cosine was below :data:`~cogs.quotes.ask.hybrid.DENSE_CONFIDENT`, so it was answered only
  because the keyword leg backed a middling meaning match (``hybrid.decide``). An answer a
  member rates **Not helpful** becomes a gap too.
* Gaps are **grouped when listed** (greedy, oldest first: a gap joins the first group whose
  first question is at least :data:`GROUP_COSINE` near), most asked first. Listing-time
  grouping keeps the write one INSERT and lets a group change as its questions are forgotten.
* What a curator decides is **learned** per server: a gap answered with a quote becomes a
  *taught* phrasing of it (a later question at least :data:`TAUGHT_MATCH` near is answered
  with that quote first), a gap put *out of scope* declines every question at least
  :data:`OUT_OF_SCOPE_MATCH` near. Without the model, the same words (case and spacing
  aside) match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from cogs.quotes.ask.hybrid import DENSE_CONFIDENT

Reason = Literal["declined", "weak", "unhelpful"]
Kind = Literal["taught", "out_of_scope"]

# Set by hand with the shipped MiniLM + adapter (tests/quotes/ask/test_gaps.py pins cases):
# paraphrases sit at 0.7-0.9 ("Where can I buy the DVD?" / "Where do I purchase the film on
# DVD?" 0.90, "weather tomorrow" / "forecast for tomorrow" 0.81), neighbouring questions
# below ("buy the DVD" / "watch the film" 0.66, "buy the DVD" / "DVD cost" 0.59). Out of scope
# asks more: a false match would decline a question the store answers.
GROUP_COSINE = 0.7
TAUGHT_MATCH = 0.7
OUT_OF_SCOPE_MATCH = 0.75


def reason(declined: bool, best_cosine: float | None, *, premise: bool = False) -> Reason | None:
    """Why an answer is a gap (``None``: it is not): declined, or answered weakly (a low
    cosine, or an answer under a premise note: the store never says what was asked)."""
    if declined:
        return "declined"
    if premise:
        return "weak"
    if best_cosine is not None and best_cosine < DENSE_CONFIDENT:
        return "weak"
    return None


def same_words(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def cosine(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    if a is None or b is None or a.shape != b.shape:
        return None
    return float(np.dot(a, b))


def near(a_text: str, a: np.ndarray | None, b_text: str, b: np.ndarray | None) -> float:
    """How near two questions are: their cosine, or 1.0 / 0.0 by their words without vectors."""
    if same_words(a_text, b_text):
        return 1.0
    found = cosine(a, b)
    return 0.0 if found is None else found


@dataclass(frozen=True, slots=True)
class Gap:
    id: int
    question: str
    vector: np.ndarray | None
    user_id: int | None
    reason: Reason
    created_at: str


@dataclass(slots=True)
class Group:
    gaps: list[Gap] = field(default_factory=list)

    @property
    def lead(self) -> Gap:
        return self.gaps[0]

    @property
    def id(self) -> int:
        """The group's name in buttons: its first gap's id."""
        return self.lead.id

    @property
    def asked(self) -> int:
        return len(self.gaps)

    @property
    def askers(self) -> int:
        return len({g.user_id for g in self.gaps})

    @property
    def ids(self) -> list[int]:
        return [g.id for g in self.gaps]

    @property
    def questions(self) -> list[str]:
        """Its distinct wordings, first asked first."""
        seen: dict[str, str] = {}
        for gap in self.gaps:
            seen.setdefault(" ".join(gap.question.casefold().split()), gap.question)
        return list(seen.values())


def group(gaps: Sequence[Gap], threshold: float = GROUP_COSINE) -> list[Group]:
    """Similar gaps together (oldest first within a group), the most asked group first."""
    groups: list[Group] = []
    for gap in sorted(gaps, key=lambda g: (g.created_at, g.id)):
        for candidate in groups:
            lead = candidate.lead
            if near(gap.question, gap.vector, lead.question, lead.vector) >= threshold:
                candidate.gaps.append(gap)
                break
        else:
            groups.append(Group([gap]))
    return sorted(groups, key=lambda g: (-g.asked, -g.askers, g.lead.created_at, g.id))


def group_of(groups: Sequence[Group], gap_id: int) -> Group | None:
    return next((g for g in groups if gap_id in g.ids), None)


@dataclass(frozen=True, slots=True)
class Learned:
    kind: Kind
    question: str
    vector: np.ndarray | None
    quote_id: str | None


@dataclass(frozen=True, slots=True)
class Match:
    learned: Learned
    cosine: float


@dataclass(frozen=True, slots=True)
class Phrasebook:
    """A server's learned phrasings with their vectors as one matrix (one product per
    question: 200 phrasings in microseconds, where a loop of dot products took milliseconds)."""

    items: tuple[Learned, ...]
    matrix: np.ndarray | None  # rows of the items with a vector of the common size
    rows: tuple[int, ...]  # the item index of each matrix row

    @classmethod
    def of(cls, learned: Sequence[Learned]) -> Phrasebook:
        vectors = [(i, item.vector) for i, item in enumerate(learned) if item.vector is not None]
        shape = vectors[0][1].shape if vectors else None  # one encoder: one size
        kept = [(i, v) for i, v in vectors if v.shape == shape]
        matrix = np.stack([v for _, v in kept]) if kept else None
        return cls(tuple(learned), matrix, tuple(i for i, _ in kept))


def match(
    question: str, vector: np.ndarray | None, learned: Sequence[Learned] | Phrasebook
) -> Match | None:
    """The learned phrasing that decides ``question``, if any: the nearest one above its
    kind's threshold (out of scope wins a tie: a curator said this server never answers it)."""
    book = learned if isinstance(learned, Phrasebook) else Phrasebook.of(learned)
    scores = dict.fromkeys(
        (i for i, item in enumerate(book.items) if same_words(question, item.question)), 1.0
    )
    if vector is not None and book.matrix is not None and book.matrix.shape[1:] == vector.shape:
        for row, score in zip(book.rows, book.matrix @ vector, strict=True):
            scores[row] = max(scores.get(row, -1.0), float(score))
    best: Match | None = None
    for i, score in scores.items():
        item = book.items[i]
        bar = TAUGHT_MATCH if item.kind == "taught" else OUT_OF_SCOPE_MATCH
        if score < bar:
            continue
        if (
            best is None
            or score > best.cosine
            or (score == best.cosine and item.kind == "out_of_scope")
        ):
            best = Match(item, score)
    return best


def vector_bytes(vector: np.ndarray | None) -> bytes | None:
    return None if vector is None else np.asarray(vector, dtype="<f4").tobytes()


def vector_of(blob: bytes | memoryview | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(bytes(blob), dtype="<f4")
