"""Instant-runoff counting of ranked ballots: rounds, eliminations, transfers, exhausted ballots.

Plain Python (no discord, no SQL), so the cog, the CLI export and the tests share one count.

The rule, round by round:

1. Every ballot counts for its highest-ranked option still in the race ("continuing"). A
   ballot whose ranked options have all been eliminated is *exhausted* and counts for nobody
   from then on.
2. An option holding more than half of the round's non-exhausted ballots wins. When only one
   option is left, it wins. Nobody wins when no ballot was cast.
3. Otherwise the option with the fewest votes is eliminated (one per round) and its ballots
   move to their next continuing choice (the round's *transfers*, exhausted ones included).

**Tie-break for elimination** (documented in docs/debate.md, tested in
tests/debate/test_irv.py): among the options tied for fewest votes, eliminate the one that
had fewer votes in the latest earlier round where their counts differed ("backwards"
tie-break); if they were level in every round, eliminate the one listed last on the poll.
Deterministic, so the same ballots always give the same result, and explainable in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

EXHAUSTED = -1  # the key of exhausted ballots in a round's transfers


@dataclass(frozen=True, slots=True)
class Round:
    number: int
    counts: dict[int, int]  # continuing option position -> votes this round
    exhausted: int  # ballots exhausted before or at this round (count for nobody)
    eliminated: int | None = None  # the option that lost this round, if any
    transfers: dict[int, int] = field(default_factory=dict)  # where its ballots went
    tie_break: bool = False  # the elimination needed the tie-break rule

    @property
    def active(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Result:
    options: int
    ballots: int
    rounds: tuple[Round, ...]
    winner: int | None

    @property
    def decided_by_tie_break(self) -> bool:
        return any(r.tie_break for r in self.rounds)


def check_ranking(ranking: Sequence[int], options: int) -> tuple[int, ...]:
    """A valid ranking: 1..options distinct option positions; ValueError says what is wrong."""
    if not ranking:
        raise ValueError("rank at least one option")
    if len(set(ranking)) != len(ranking):
        raise ValueError("each option can be ranked only once")
    if any(not 0 <= p < options for p in ranking):
        raise ValueError("that option is not on this poll")
    return tuple(ranking)


def _top(ballot: Sequence[int], continuing: set[int]) -> int | None:
    return next((p for p in ballot if p in continuing), None)


def _loser(lowest: list[int], history: list[dict[int, int]]) -> tuple[int, bool]:
    """The option to eliminate among ``lowest`` (tied on this round's count), and if tied."""
    if len(lowest) == 1:
        return lowest[0], False
    tied = list(lowest)
    for earlier in reversed(history):
        fewest = min(earlier.get(p, 0) for p in tied)
        tied = [p for p in tied if earlier.get(p, 0) == fewest]
        if len(tied) == 1:
            return tied[0], True
    return max(tied), True  # level in every round: the one listed last


def count(options: int, ballots: Sequence[Sequence[int]]) -> Result:
    """Run the instant-runoff over ``ballots`` (each a ranking of option positions)."""
    continuing = set(range(options))
    history: list[dict[int, int]] = []
    rounds: list[Round] = []
    while True:
        counts = dict.fromkeys(sorted(continuing), 0)
        exhausted = 0
        for ballot in ballots:
            top = _top(ballot, continuing)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        active = sum(counts.values())
        number = len(rounds) + 1
        leader = max(counts, key=lambda p: (counts[p], -p)) if counts else None
        if leader is None or active == 0:
            rounds.append(Round(number, counts, exhausted))
            return Result(options, len(ballots), tuple(rounds), None)
        if counts[leader] * 2 > active or len(continuing) == 1:
            rounds.append(Round(number, counts, exhausted))
            return Result(options, len(ballots), tuple(rounds), leader)
        fewest = min(counts.values())
        loser, tie_break = _loser([p for p in counts if counts[p] == fewest], history)
        continuing.discard(loser)
        transfers: dict[int, int] = {}
        for ballot in ballots:
            if _top(ballot, continuing | {loser}) != loser:
                continue
            to = _top(ballot, continuing)
            key = EXHAUSTED if to is None else to
            transfers[key] = transfers.get(key, 0) + 1
        rounds.append(Round(number, counts, exhausted, loser, transfers, tie_break))
        history.append(counts)
