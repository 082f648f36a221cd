"""Who may vote in a poll, and whether enough did: eligibility rules and the quorum, the domain.

No discord and no SQL. A moderator types the rules once (``eligible: joined 7d, account 30d,
screened`` and ``quorum: 50`` or ``quorum: 20%``) on /poll create, /poll schedule create or
/debate start; :func:`parse_rules` reads them into :class:`Rules` (relative to when a poll
opens), and :meth:`Rules.for_poll` fixes them for one poll as :class:`Eligibility`: the join
cutoff becomes a moment, a share of members becomes a number of votes (of the server's member
count as Discord reports it when the poll opens: every member, bots included, eligible or
not). :func:`refusal` is the part of the one vote rule (:func:`cogs.polls.polls.may_vote`)
that reads the member: their join date, account age (from the id, a snowflake) and screening,
all carried by the click itself, so the fast lane never fetches a member.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.presentation import plural
from bot.timeparse import discord_timestamp as ts
from bot.timeparse import parse_duration

DISCORD_EPOCH_MS = 1_420_070_400_000
MAX_RULE_DAYS = 3650
RULES_LIMIT = 100  # characters of the eligible: option
EXAMPLE = "e.g. `joined 7d, account 30d, screened` (or `joined` alone: before the poll opens)"
QUORUM_EXAMPLE = "e.g. `50` (votes) or `20%` (of the server's members)"

# The parameter block /poll create, /poll schedule create and /debate start share
# (``eligible: str | None = None, quorum: str | None = None``): its descriptions, for
# ``@app_commands.describe(**DESCRIBE)``.
DESCRIBE = {
    "eligible": "Who may vote, e.g. joined 7d, account 30d, screened (joined: before it opens)",
    "quorum": "Votes needed for a valid result: a number (50) or a share of members (20%)",
}


def account_created(user_id: int) -> datetime:
    """When a Discord account was made: the moment in its id (a snowflake)."""
    return datetime.fromtimestamp(((user_id >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


@dataclass(frozen=True, slots=True)
class Voter:
    """The member clicking, as the click's own payload describes them (nothing fetched)."""

    user_id: int
    role_ids: Collection[int] = frozenset()
    joined_at: datetime | None = None  # None: unknown (not a member of the poll's server)
    pending: bool = False  # membership screening not passed yet


@dataclass(frozen=True, slots=True)
class Rules:
    """Eligibility and quorum as typed, relative to the moment a poll opens."""

    joined: timedelta | None = None  # joined at least this long before it opens (0: before)
    account: timedelta | None = None  # the account at least this old when voting
    screened: bool = False
    quorum_votes: int | None = None
    quorum_percent: int | None = None

    def for_poll(self, opened_at: datetime, member_count: int | None) -> Eligibility:
        quorum = self.quorum_votes
        if self.quorum_percent is not None:
            quorum = max(1, math.ceil(self.quorum_percent * (member_count or 0) / 100))
        return Eligibility(
            joined_before=opened_at - self.joined if self.joined is not None else None,
            joined=self.joined,
            account_age=self.account,
            screened=self.screened,
            quorum=quorum,
            quorum_percent=self.quorum_percent,
        )


@dataclass(frozen=True, slots=True)
class Eligibility:
    """One poll's rules, fixed when it opened (stored with it)."""

    joined_before: datetime | None = None
    joined: timedelta | None = field(default=None, compare=False)  # how the cutoff was set
    account_age: timedelta | None = None
    screened: bool = False
    quorum: int | None = None  # votes needed for a valid result
    quorum_percent: int | None = None  # the share it was computed from (None: typed as votes)

    @property
    def restricts(self) -> bool:
        return self.joined_before is not None or self.account_age is not None or self.screened

    def notes(self) -> list[str]:
        """The "About" lines of a poll with these rules."""
        lines = []
        if self.joined_before is not None:
            lines.append(f"Only members who joined before {ts(self.joined_before, 'f')} may vote")
        if self.account_age is not None:
            lines.append(f"Accounts at least {_days(self.account_age)} old")
        if self.screened:
            lines.append("Only members who passed membership screening")
        if self.quorum is not None:
            lines.append(f"Quorum: {quorum_words(self)}")
        return lines


def quorum_words(rules: Eligibility) -> str:
    votes = plural(rules.quorum or 0, "vote")
    if rules.quorum_percent is None:
        return votes
    return f"{votes} ({rules.quorum_percent}% of the server's members when it opened)"


def _days(span: timedelta) -> str:
    if span % timedelta(days=1) == timedelta(0):
        return plural(span.days, "day")
    hours = span.total_seconds() / 3600
    return (
        plural(round(hours), "hour")
        if hours >= 1
        else plural(int(span.total_seconds() // 60), "minute")
    )


_JOINED = re.compile(r"joined(?:\s+(?P<span>[0-9][0-9a-z ]*?))?(?:\s+(?:before|ago))?", re.I)
_ACCOUNT = re.compile(r"account(?:\s+(?:older than|age))?\s+(?P<span>[0-9][0-9a-z ]*?)", re.I)
_SCREENED = re.compile(r"screen(?:ed|ing)", re.I)
_QUORUM = re.compile(r"(?P<n>[0-9]{1,7})\s*(?P<pct>%?)")


def _span(text: str, what: str, zero_ok: bool) -> timedelta:
    if zero_ok and text.strip() in ("0", "0d"):
        return timedelta(0)
    span = parse_duration(text.replace(" ", ""))
    if span > timedelta(days=MAX_RULE_DAYS):
        raise ValueError(f"The {what} rule can ask for at most {MAX_RULE_DAYS} days.")
    return span


def parse_rules(eligible: str | None, quorum: str | None) -> Rules:
    """``eligible``: rules separated by commas or semicolons; ``quorum``: ``50`` or ``20%``.

    ValueError, in the words the moderator reads, for anything else (never echoing it).
    """
    joined = account = None
    screened = False
    if eligible is not None and eligible.strip():
        if len(eligible) > RULES_LIMIT:
            raise ValueError(f"The eligibility rules must be at most {RULES_LIMIT} characters.")
        for part in re.split(r"[,;]", eligible):
            part = part.strip()
            if not part:
                continue
            if match := _JOINED.fullmatch(part):
                joined = _span(match["span"] or "0", "joined", zero_ok=True)
            elif match := _ACCOUNT.fullmatch(part):
                account = _span(match["span"], "account", zero_ok=False)
            elif _SCREENED.fullmatch(part):
                screened = True
            elif part.casefold() == "role":
                raise ValueError("The voter role is the `role:` option of the command.")
            else:
                raise ValueError(f"I can't read the eligibility rules: write {EXAMPLE}.")
    votes = percent = None
    if quorum is not None and quorum.strip():
        if len(quorum) > 12:
            raise ValueError(f"I can't read the quorum: write {QUORUM_EXAMPLE}.")
        match = _QUORUM.fullmatch(quorum.strip())
        if match is None or int(match["n"]) < 1:
            raise ValueError(f"I can't read the quorum: write {QUORUM_EXAMPLE}.")
        if match["pct"]:
            percent = int(match["n"])
            if percent > 100:
                raise ValueError("A quorum share is at most 100%.")
        else:
            votes = int(match["n"])
    return Rules(joined, account, screened, votes, percent)


def refusal(
    rules: Eligibility, voter: Voter, now: datetime, closes_at: datetime | None
) -> str | None:
    """Why this member may not vote under ``rules`` and when they would qualify; None: they may."""
    if rules.screened and voter.pending:
        return (
            "Only members who have passed this server's membership screening may vote here: "
            "accept the server's rules, then vote again."
        )
    if rules.joined_before is not None:
        joined = voter.joined_at
        if joined is None or joined > rules.joined_before:
            when = "" if joined is None else f" You joined {ts(joined, 'f')}"
            if joined is not None and rules.joined is not None:
                when += (
                    f": polls with this rule that open after {ts(joined + rules.joined, 'f')} "
                    "are yours to vote in."
                )
            elif joined is not None:
                when += "."
            return (
                f"Only members who joined the server before {ts(rules.joined_before, 'f')} "
                f"may vote in this poll.{when}"
            )
    if rules.account_age is not None:
        ready = account_created(voter.user_id) + rules.account_age
        if now < ready:
            late = (
                " That is after this poll closes."
                if closes_at is not None and ready >= closes_at
                else ""
            )
            return (
                f"Only accounts at least {_days(rules.account_age)} old may vote here: "
                f"yours may from {ts(ready, 'f')} ({ts(ready)}).{late}"
            )
    return None


@dataclass(frozen=True, slots=True)
class Turnout:
    """How many voted against the quorum (``required`` None: the poll has none)."""

    votes: int
    required: int | None

    @property
    def reached(self) -> bool:
        return self.required is None or self.votes >= self.required

    def live(self) -> str:
        """The turnout line of an open poll's card."""
        if self.required is None:
            return f"Turnout: {plural(self.votes, 'vote')}"
        left = self.required - self.votes
        state = "quorum reached" if left <= 0 else f"{plural(left, 'more vote')} needed"
        return f"Turnout: {self.votes} of {plural(self.required, 'vote')} for the quorum ({state})"

    def verdict(self) -> str | None:
        """The result's quorum line; None when the poll has no quorum."""
        if self.required is None:
            return None
        if self.reached:
            return f"Quorum reached: {self.votes} of {plural(self.required, 'vote')} needed."
        return (
            f"**Quorum not reached**: {plural(self.votes, 'vote')} of the {self.required} "
            "needed, so this result does not decide the question."
        )


def turnout(votes: int, rules: Eligibility) -> Turnout:
    return Turnout(votes, rules.quorum)
