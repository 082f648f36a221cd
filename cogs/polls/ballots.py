"""Poll kinds beyond single choice: approval and ranked-choice ballots, their counts, exports.

No discord and no SQL. A single-choice poll keeps today's rows (``poll_votes``, one position
per member). An approval or ranked poll keeps one *ballot* per member in ``poll_ballots``:
the chosen option positions, in the member's order of preference for a ranked poll and in
the poll's order for an approval poll, stored as text (``"2.0.1"``), see :func:`encode`.
The instant-runoff itself is :mod:`cogs.polls.irv`. Export formats: docs/debate.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.clock import iso
from bot.presentation import percent_of, percentages, plural
from cogs.polls import irv
from cogs.polls.polls import FORMER_MEMBER, Poll, PollError, is_former_member

BallotKind = Literal["single", "approval", "ranked"]
KINDS: tuple[str, ...] = ("single", "approval", "ranked")
KIND_NAMES = {
    "single": "single choice",
    "approval": "approval (pick any number)",
    "ranked": "ranked choice (instant runoff)",
}
SEPARATOR = "."


def encode(choices: Sequence[int]) -> str:
    return SEPARATOR.join(str(p) for p in choices)


def decode(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(SEPARATOR) if p != "")


def check_kind(kind: str, max_choices: int | None, options: int) -> int | None:
    """The stored ``max_choices`` of a new poll (None: no cap); PollError says what is wrong."""
    if kind not in KINDS:
        raise PollError(f"A poll is one of: {', '.join(KINDS)}.")
    if max_choices is None:
        return None
    if kind != "approval":
        raise PollError("`max_choices` only applies to approval polls (kind: approval).")
    if not 1 <= max_choices <= options:
        raise PollError(f"`max_choices` must be between 1 and the number of options ({options}).")
    return max_choices


def cap(poll: Poll) -> int:
    """How many options an approval ballot may hold."""
    return min(poll.max_choices or len(poll.options), len(poll.options))


def check_ballot(poll: Poll, choices: Sequence[int]) -> tuple[int, ...]:
    """The ballot as stored (approval: poll order); PollError with the member's words."""
    if poll.ballot_kind == "ranked":
        try:
            return irv.check_ranking(choices, len(poll.options))
        except ValueError as exc:
            raise PollError(f"Your ranking was not counted: {exc}.") from None
    if poll.ballot_kind != "approval":
        raise PollError("This poll takes one choice: use its buttons.")
    if not choices:
        raise PollError("Pick at least one option (or retract your vote).")
    if len(set(choices)) != len(choices) or any(not 0 <= p < len(poll.options) for p in choices):
        raise PollError("That selection is not valid for this poll: pick from its options.")
    if len(choices) > cap(poll):
        raise PollError(f"You may approve at most {plural(cap(poll), 'option')} in this poll.")
    return tuple(sorted(choices))


def describe(poll: Poll, choices: Sequence[int]) -> str:
    """A ballot in words: ``A > C > B`` (ranked) or ``A, B`` (approval)."""
    labels = [f"**{poll.options[p]}**" for p in choices]
    return (" > " if poll.ballot_kind == "ranked" else ", ").join(labels)


@dataclass(frozen=True, slots=True)
class Summary:
    """What the live message and the approval result show: one count per option.

    Approval: how many ballots approve each option; ranked: first choices. ``ballots`` is
    the number of members who voted (the shares are of ballots, so they need not add to 100).
    """

    options: tuple[str, ...]
    counts: tuple[int, ...]
    ballots: int

    def shares(self) -> tuple[int, ...]:
        """First choices add up to the ballots (one rule: ``percentages``); approvals need not."""
        if sum(self.counts) == self.ballots:
            return percentages(self.counts)
        return tuple(percent_of(n, self.ballots) for n in self.counts)

    def rows(self) -> list[tuple[str, int, int]]:
        return list(zip(self.options, self.counts, self.shares(), strict=True))


def summary(poll: Poll, ballots: Sequence[Sequence[int]]) -> Summary:
    counts = [0] * len(poll.options)
    for ballot in ballots:
        for p in ballot if poll.ballot_kind == "approval" else ballot[:1]:
            counts[p] += 1
    return Summary(poll.options, tuple(counts), len(ballots))


def ordered(voters: dict[int, tuple[int, ...]]) -> list[tuple[int, tuple[int, ...]]]:
    """Ballots in a stable order that says nothing about when or by whom they were cast."""
    return sorted(voters.items(), key=lambda item: (item[1], item[0] < 0, item[0]))


def _voter(uid: int) -> str:
    return FORMER_MEMBER if is_former_member(uid) else str(uid)


def rounds_data(poll: Poll, result: irv.Result) -> list[dict[str, Any]]:
    def name(p: int) -> str:
        return "(exhausted)" if p == irv.EXHAUSTED else poll.options[p]

    return [
        {
            "round": r.number,
            "counts": {poll.options[p]: n for p, n in r.counts.items()},
            "exhausted": r.exhausted,
            "eliminated": name(r.eliminated) if r.eliminated is not None else None,
            "transfers": {name(p): n for p, n in sorted(r.transfers.items())},
            "tie_break": r.tie_break,
        }
        for r in result.rounds
    ]


def export_data(poll: Poll, voters: dict[int, tuple[int, ...]]) -> dict[str, Any]:
    """The export document of an approval or ranked poll (format: docs/debate.md).

    Every ballot is listed (that is what makes a ranked count checkable); member ids only for
    polls created public, forgotten members as "former member".
    """
    found = summary(poll, list(voters.values()))
    data: dict[str, Any] = {
        "poll_id": poll.id,
        "question": poll.question,
        "kind": poll.ballot_kind,
        "max_choices": cap(poll) if poll.ballot_kind == "approval" else None,
        "anonymous": poll.anonymous,
        "created_at": iso(poll.created_at),
        "closes_at": iso(poll.closes_at) if poll.closes_at else None,
        "closed_at": iso(poll.closed_at) if poll.closed_at else None,
        "total_ballots": found.ballots,
    }
    count_name = "approvals" if poll.ballot_kind == "approval" else "first_choices"
    data["options"] = [
        {"option": label, count_name: n, "percent_of_ballots": pct}
        for label, n, pct in found.rows()
    ]
    rows = []
    for uid, choices in ordered(voters):
        row: dict[str, Any] = {} if poll.anonymous else {"user_id": _voter(uid)}
        row["choices"] = [poll.options[p] for p in choices]
        rows.append(row)
    data["ballots"] = rows
    if poll.ballot_kind == "ranked":
        result = irv.count(len(poll.options), [c for _, c in ordered(voters)])
        data["rounds"] = rounds_data(poll, result)
        data["winner"] = poll.options[result.winner] if result.winner is not None else None
    return data


def export_csv(data: dict[str, Any]) -> str:
    """Counts (approval) or rounds (ranked), a blank line, then one row per ballot."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    pid, question = data["poll_id"], data["question"]
    if data["kind"] == "ranked":
        writer.writerow(["poll_id", "question", "round", "option", "votes", "eliminated"])
        for r in data["rounds"]:
            for label, n in r["counts"].items():
                writer.writerow(
                    [pid, question, r["round"], label, n, int(label == r["eliminated"])]
                )
            writer.writerow([pid, question, r["round"], "(exhausted)", r["exhausted"], 0])
    else:
        writer.writerow(["poll_id", "question", "option", "approvals", "percent_of_ballots"])
        for row in data["options"]:
            writer.writerow(
                [pid, question, row["option"], row["approvals"], row["percent_of_ballots"]]
            )
    writer.writerow([])
    width = max([len(b["choices"]) for b in data["ballots"]] or [1])
    first = "ballot" if data["anonymous"] else "user_id"
    writer.writerow([first, *(f"choice_{i}" for i in range(1, width + 1))])
    for n, ballot in enumerate(data["ballots"], 1):
        writer.writerow([ballot.get("user_id", n), *ballot["choices"]])
    return out.getvalue()
