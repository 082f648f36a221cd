"""Motion polls, the domain: the poll, its tally, what a vote did, the export document.

No discord and no SQL (the rows live in :mod:`cogs.polls.store`): the cog, the CLI and the
benchmark share this module. A member forgotten after voting in a closed poll is kept in its
counts under a negative surrogate id; exports call them "former member".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import iso
from bot.presentation import percentages
from cogs.polls.config import MOTION_LIMIT, check_options
from cogs.polls.eligibility import Eligibility, Voter, refusal


class PollError(ValueError):
    """A request the poll cannot honour (closed, unknown option...); the text says why."""


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    question: str
    kind: str
    anonymous: bool
    live: bool
    role_id: int | None
    created_by: int
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    options: tuple[str, ...]
    ballot_kind: str = "single"  # or "approval", "ranked": see cogs/polls/ballots.py
    max_choices: int | None = None  # an approval ballot's cap (None: any number)
    # Who may vote beyond the role, and the quorum: cogs/polls/eligibility.py
    eligibility: Eligibility = field(default_factory=Eligibility)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class Tally:
    options: tuple[str, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    def percentages(self) -> tuple[int, ...]:
        """Whole percentages that add up to 100 (``bot.presentation.percentages``)."""
        return percentages(self.counts)

    def rows(self) -> list[tuple[str, int, int]]:
        return list(zip(self.options, self.counts, self.percentages(), strict=True))


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    previous: int | None  # the option the member had chosen before, if any
    position: int


def check_new_poll(
    question: str, options: Sequence[str], now: datetime, closes_at: datetime | None
) -> tuple[str, tuple[str, ...]]:
    """The cleaned question and options of a new poll; PollError says what is wrong."""
    question = question.strip()
    if not 1 <= len(question) <= MOTION_LIMIT:
        raise PollError(f"The motion or question must be 1-{MOTION_LIMIT} characters.")
    try:
        cleaned = check_options(list(options))
    except ValueError as exc:
        raise PollError(str(exc).capitalize() + ".") from None
    if closes_at is not None and closes_at <= now:
        raise PollError("The poll must close in the future.")
    return question, cleaned


CLOSED = "This poll is closed: your vote was not counted."


def is_former_member(user_id: int) -> bool:
    """Forgotten members' votes in closed polls are kept under a negative surrogate id."""
    return user_id < 0


FORMER_MEMBER = "former member"


def export_data(poll: Poll, counts: Tally, voters: dict[int, int] | None) -> dict[str, Any]:
    """The export document. ``voters`` (user id -> option) only for polls created public."""
    data: dict[str, Any] = {
        "poll_id": poll.id,
        "question": poll.question,
        "anonymous": poll.anonymous,
        "created_at": iso(poll.created_at),
        "closes_at": iso(poll.closes_at) if poll.closes_at else None,
        "closed_at": iso(poll.closed_at) if poll.closed_at else None,
        "total_votes": counts.total,
        "options": [
            {"option": label, "votes": n, "percent": pct} for label, n, pct in counts.rows()
        ],
    }
    if voters is not None and not poll.anonymous:
        data["votes"] = [
            {
                "user_id": FORMER_MEMBER if is_former_member(uid) else str(uid),
                "option": poll.options[pos],
            }
            for uid, pos in sorted(voters.items(), key=lambda item: (item[0] < 0, item[0]))
        ]
    return data


def export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def export_csv(data: dict[str, Any]) -> str:
    """Counts per option; for a public poll a second section lists each member's vote."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["poll_id", "question", "option", "votes", "percent"])
    for row in data["options"]:
        writer.writerow(
            [data["poll_id"], data["question"], row["option"], row["votes"], row["percent"]]
        )
    if "votes" in data:
        writer.writerow([])
        writer.writerow(["user_id", "option"])
        for row in data["votes"]:
            writer.writerow([row["user_id"], row["option"]])
    return out.getvalue()


def split_options(text: str) -> list[str]:
    """ "A; B; C" (or "A | B", or "A, B") -> ["A", "B", "C"]."""
    sep = ";" if ";" in text else "|" if "|" in text else ","
    return [part.strip() for part in text.split(sep) if part.strip()]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a click may not vote, in the words the member reads; ``closes``: the deadline
    has passed though the poll is still open (the caller closes it)."""

    text: str
    closes: bool = False


def may_vote(
    poll: Poll | None,
    *,
    ballot_kind: str,
    voter: Voter,
    now: datetime,
    option: int | None = None,
) -> Refusal | None:
    """The one rule for a vote or ballot click: None when this member may vote now.

    The fast lane (bot/fastlane.py) and the DynamicItem path both ask it, with the member as
    the click's payload describes them (roles, join date, screening: :class:`Voter`). The
    lane answers a refusal itself, except one that ``closes`` the poll: that click goes to
    the DynamicItem path, which closes it. ``option``: a single-choice button's option.
    """
    what = "vote" if ballot_kind == "single" else "ballot"
    if (
        poll is None
        or poll.ballot_kind != ballot_kind
        or (option is not None and not 0 <= option < len(poll.options))
    ):
        return Refusal("This poll no longer exists.")
    if not poll.is_open:
        return Refusal(f"This poll is closed: your {what} was not counted.")
    if poll.closes_at is not None and now >= poll.closes_at:
        return Refusal(f"This poll has just closed: your {what} was not counted.", closes=True)
    if poll.role_id is not None and poll.role_id not in voter.role_ids:
        return Refusal(f"Only members with the <@&{poll.role_id}> role may vote here.")
    if poll.eligibility.restricts:
        text = refusal(poll.eligibility, voter, now, poll.closes_at)
        if text is not None:
            return Refusal(text)
    return None
