"""Durations and start times typed by moderators ("90m", "2h", "1d12h", "2026-12-01 19:00",
or a Discord timestamp ``<t:1765134000:F>`` the client inserts in the member's own zone), and
times shown back as Discord timestamps (each member sees their own zone).

Both parsers refuse text longer than :data:`MAX_INPUT` before any regex runs on it, and quote
at most a short prefix of what was typed: a refusal must fit a Discord message whatever the
input was. Start times are at most :data:`MAX_DAYS` ahead, so adding a length never leaves
the calendar.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.i18n import _

_PART = re.compile(r"(\d+)\s*([dhm])", re.IGNORECASE)
_WHOLE = re.compile(r"^\s*(?:\d+\s*[dhm]\s*)+$", re.IGNORECASE)
_UNITS = {"d": 86400, "h": 3600, "m": 60}
# Discord's timestamp markup, any style (t T d D f F R, and the newer s S): the client writes
# it when a member picks a date and time, in their own zone; the number is Unix seconds.
_DISCORD_STAMP = re.compile(r"^\s*<t:(-?\d{1,12})(?::[tTdDfFRsS])?>\s*$")
MAX_DAYS = 366  # far beyond any poll or debate; keeps "99999999999d" from overflowing
MAX_INPUT = 40  # "2026-12-01 19:00" and "1d 12h 30m" are far shorter


def parse_duration(text: str) -> timedelta:
    """ "2h", "90m", "1d 6h" -> timedelta; ValueError with an example otherwise."""
    if len(text) > MAX_INPUT or not _WHOLE.match(text):
        raise ValueError(
            _("I can't read the duration {text}: write e.g. 30m, 2h or 1d12h.", text=_shown(text))
        )
    seconds = sum(int(n) * _UNITS[u.lower()] for n, u in _PART.findall(text))
    if seconds <= 0:
        raise ValueError(_("The duration must be longer than zero."))
    if seconds > MAX_DAYS * 86400:
        raise ValueError(_("A duration can be at most {days} days.", days=MAX_DAYS))
    return timedelta(seconds=seconds)


def discord_stamp(text: str) -> datetime | None:
    """The moment a Discord timestamp (``<t:1765134000>``, ``<t:…:F>``, ``<t:…:R>``) names.

    None when ``text`` is not one; ValueError when it is one no calendar holds.
    """
    match = _DISCORD_STAMP.match(text) if len(text) <= MAX_INPUT else None
    if match is None:
        return None
    try:
        return datetime.fromtimestamp(int(match.group(1)), tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(
            _("The Discord timestamp {text} is not a date a calendar holds.", text=_shown(text))
        ) from None


def parse_start(text: str, now: datetime) -> datetime:
    """ "in 2h" / "2h" (from now), a Discord timestamp, or "YYYY-MM-DD HH:MM" in UTC, at most
    a year ahead."""
    cleaned = text.strip().removeprefix("in ").strip() if len(text) <= MAX_INPUT else ""
    if cleaned and _WHOLE.match(cleaned):
        return now + parse_duration(cleaned)
    moment = discord_stamp(text)
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"):
        if moment is not None:
            break
        try:
            moment = datetime.strptime(cleaned, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    if moment is None:
        raise ValueError(
            _("I can't read the start time {text}: {forms}.", text=_shown(text), forms=FORMS)
        )
    if moment - now > timedelta(days=MAX_DAYS):
        raise ValueError(
            _("The start can be at most {days} days (a year) from now.", days=MAX_DAYS)
        )
    return moment


# How to write a start, in refusals and option descriptions alike (START_FORMS: English).
FORMS = _(
    "write e.g. 'in 2h', '2026-12-01 19:00' (UTC) or a Discord timestamp like "
    "`<t:1796151600:f>` (your own time zone)"
)
START_FORMS = str(FORMS)


def _shown(text: str) -> str:
    """What was typed, quoted and cut short enough to repeat in a refusal."""
    return repr(text if len(text) <= MAX_INPUT else text[:MAX_INPUT] + "…")


def discord_timestamp(moment: datetime, style: str = "R") -> str:
    """``<t:unix:style>``: Discord shows it in each reader's own zone ("R": "in 2 hours")."""
    return f"<t:{int(moment.timestamp())}:{style}>"
