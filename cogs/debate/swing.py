"""Who won the debate: the side whose share grew most between the two votes.

Intelligence Squared style: only members who voted both before and after count, so a late
wave of newcomers cannot swing the result. Shares are over those matched members.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.presentation import percentages

SIDES = ("for", "against", "undecided")
LABELS = {"for": "For", "against": "Against", "undecided": "Undecided"}


@dataclass(frozen=True, slots=True)
class SwingResult:
    matched: int  # voted in both
    pre_voters: int  # everyone who voted before
    post_voters: int  # everyone who voted after
    pre: dict[str, int]  # counts among matched voters
    post: dict[str, int]
    moves: dict[tuple[str, str], int]  # (from, to) -> members
    winner: str | None  # "for", "against", "tie", or None when nobody voted twice
    quorum: int | None = None  # members who must vote both times for the result to count

    @property
    def quorum_reached(self) -> bool:
        """The quorum counts the members the swing counts: those who voted both times."""
        return self.quorum is None or self.matched >= self.quorum

    def share(self, when: str, side: str, places: int = 0) -> float:
        """The side's percentage of the matched voters, by the one rounding rule
        (``bot.presentation.percentages``: the three sides add up to 100)."""
        counts = self.pre if when == "pre" else self.post
        return percentages([counts[s] for s in SIDES], places=places)[SIDES.index(side)]

    def swing(self, side: str, places: int = 0) -> float:
        """Change of the side's share in percentage points (of the shares as shown)."""
        return round(self.share("post", side, places) - self.share("pre", side, places), places)


def compute(pre: Mapping[int, str], post: Mapping[int, str]) -> SwingResult:
    """``pre`` and ``post`` map user id -> side ("for" / "against" / "undecided")."""
    for ballots in (pre, post):
        unknown = set(ballots.values()) - set(SIDES)
        if unknown:
            raise ValueError(f"unknown side(s): {sorted(unknown)}")
    both = sorted(set(pre) & set(post))
    before = dict.fromkeys(SIDES, 0)
    after = dict.fromkeys(SIDES, 0)
    moves = {(a, b): 0 for a in SIDES for b in SIDES}
    for uid in both:
        before[pre[uid]] += 1
        after[post[uid]] += 1
        moves[(pre[uid], post[uid])] += 1
    winner: str | None = None
    if both:
        # Compare integer count changes: with the same denominator this equals the share
        # change, and avoids float ties that are not ties.
        gain_for = after["for"] - before["for"]
        gain_against = after["against"] - before["against"]
        if gain_for == gain_against:
            winner = "tie"
        else:
            winner = "for" if gain_for > gain_against else "against"
    return SwingResult(len(both), len(pre), len(post), before, after, moves, winner)


def moves_table(result: SwingResult) -> str:
    """The from→to table as monospace text (rows: before, columns: after)."""
    head = ["before \\ after", *(LABELS[s] for s in SIDES)]
    rows = [[LABELS[a], *(str(result.moves[(a, b)]) for b in SIDES)] for a in SIDES]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(head), *(line(r) for r in rows)])


def notable_moves(result: SwingResult) -> list[tuple[str, str, int]]:
    """Changes of mind, largest first: (from, to, members)."""
    found = [(a, b, n) for (a, b), n in result.moves.items() if a != b and n]
    return sorted(found, key=lambda m: (-m[2], SIDES.index(m[0]), SIDES.index(m[1])))
