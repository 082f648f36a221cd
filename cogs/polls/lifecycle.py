"""A poll's lifecycle, the domain: reminders before the close, schedules, added options.

No discord and no SQL (the rows live in :mod:`cogs.polls.lifecycle_store`, the Discord side
in :mod:`cogs.polls.lifecycle_cog`). Times are UTC datetimes; a schedule's runs are computed
from its first start, so a bot that was down for three days opens one late poll, not three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.presentation import plural
from bot.timeparse import parse_duration
from cogs.polls.config import MAX_OPTIONS, OPTION_LIMIT
from cogs.polls.eligibility import Rules
from cogs.polls.polls import PollError

REPEATS = ("once", "daily", "weekly")
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
DEFAULT_REMINDER_MINUTES = 60  # when neither the server nor settings.toml sets one
OFF = ("off", "no", "none", "0")


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    guild_id: int
    channel_id: int
    question: str
    options: tuple[str, ...]
    duration: timedelta
    anonymous: bool
    live: bool
    role_id: int | None
    remind_before: timedelta | None
    repeat: str
    next_run_at: datetime | None
    runs: int
    last_poll_id: int | None
    created_by: int
    rules: Rules = field(default_factory=Rules)  # each poll fixes them when it opens

    @property
    def active(self) -> bool:
        return self.next_run_at is not None


def parse_reminder(text: str | None, default_minutes: int) -> tuple[timedelta | None, bool]:
    """The lead time typed for one poll, or the server's default; and whether it was typed.

    ``off`` (or ``0``) means no reminder; a default of 0 minutes means none either.
    """
    if text is None or not text.strip():
        return (timedelta(minutes=default_minutes) if default_minutes > 0 else None), False
    if text.strip().casefold() in OFF:
        return None, True
    return parse_duration(text), True


def reminder_for(lead: timedelta | None, length: timedelta, typed: bool) -> timedelta | None:
    """The lead time a poll of ``length`` keeps: a default longer than the poll is dropped.

    A lead the moderator typed that does not fit is refused, so they know no reminder comes.
    """
    if lead is None:
        return None
    if lead >= length:
        if typed:
            raise PollError(
                "The reminder must come before the poll closes: "
                "give a shorter `remind` than the duration (or `off`)."
            )
        return None
    return lead


def check_repeat(repeat: str, length: timedelta) -> None:
    if repeat not in REPEATS:
        raise PollError(f"Repeat must be one of: {', '.join(REPEATS)}.")
    period = PERIODS.get(repeat)
    if period is not None and length > period:
        raise PollError(
            f"A {repeat} poll can stay open at most {plural(period.days, 'day')}, "
            "so runs do not overlap."
        )


def next_run(due: datetime, repeat: str, now: datetime) -> datetime | None:
    """The run after ``due``: None for a one-off; never in the past (missed runs are skipped)."""
    period = PERIODS.get(repeat)
    if period is None:
        return None
    following = due + period
    if following <= now:
        missed = (now - following) // period + 1
        following += missed * period
    return following


def check_new_option(label: str, options: tuple[str, ...]) -> str:
    """The cleaned label of an option to add to ``options``; PollError says what is wrong."""
    label = label.strip()
    if not 1 <= len(label) <= OPTION_LIMIT:
        raise PollError(f"An option must be 1-{OPTION_LIMIT} characters.")
    if len(options) >= MAX_OPTIONS:
        raise PollError(f"This poll already has {MAX_OPTIONS} options, the most it can have.")
    if label.casefold() in {o.casefold() for o in options}:
        raise PollError(f"This poll already has the option **{label}**.")
    return label


ALREADY_VOTED = (
    "Options can only be added before the first vote: someone has voted in this poll, "
    "so its options stay as they are."
)
