"""Debate formats as data (``herbot_config/formats.toml``): speeches, points of information, prep.

Pure domain (no discord, no SQL). A :class:`Format` is the ordered speeches (a title, the
side, the length, whether points of information are taken), the speaker's protected time
and the preparation time. :func:`poi_window` is the rule of protected time: a point of
information may be offered only after the first and before the last
``poi_protected_seconds`` of a speech that takes them; the speaker then accepts or declines
(:func:`answer_poi`). Judges score each speech in the format's ``speaker_points`` range (a
speech may have its own, e.g. a reply speech's half scale) and rank its teams: the two sides,
or the ``team`` each speech names (British Parliamentary's four). ``motion_veto`` formats
strike motions before preparation. Validation happens once, at load, with a sentence naming
the mistake.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SIDES = ("for", "against")
SIDE_TEAMS = {"for": "For", "against": "Against"}  # a two-sided format's teams
MAX_TEAMS = 4
TITLE_LIMIT = 80
MAX_SPEECHES = 16
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class FormatError(ValueError):
    """A malformed formats file; the message names the format and the field."""


class POIError(ValueError):
    """A point of information that is not allowed now; the message says why."""


@dataclass(frozen=True, slots=True)
class Speech:
    title: str
    side: str  # "for" or "against"
    seconds: int
    poi: bool = False
    team: str | None = None  # None: the speech's side is its team
    points: tuple[int, int] | None = None  # None: the format's speaker_points


@dataclass(frozen=True, slots=True)
class Format:
    id: str
    name: str
    speeches: tuple[Speech, ...]
    prep_minutes: int = 0
    poi_protected_seconds: int = 0
    speaker_points: tuple[int, int] = (60, 80)
    motion_veto: bool = False

    @property
    def prep_seconds(self) -> int:
        return self.prep_minutes * 60

    @property
    def takes_pois(self) -> bool:
        return any(s.poi for s in self.speeches)

    def speech(self, index: int) -> Speech:
        return self.speeches[index]

    def team_of(self, speech: Speech) -> str:
        return speech.team or SIDE_TEAMS[speech.side]

    @property
    def teams(self) -> tuple[str, ...]:
        """The teams judges rank, in the order they first speak."""
        return tuple(dict.fromkeys(self.team_of(s) for s in self.speeches))

    def points_range(self, speech: Speech) -> tuple[int, int]:
        return speech.points or self.speaker_points


def poi_window(fmt: Format, speech: Speech) -> tuple[int, int] | None:
    """Elapsed seconds ``(from, until)`` in which a POI may be offered; None: never."""
    if not speech.poi:
        return None
    protected = fmt.poi_protected_seconds
    if 2 * protected >= speech.seconds:
        return None
    return protected, speech.seconds - protected


def check_poi(fmt: Format, speech: Speech, elapsed: float, asker_side: str | None) -> None:
    """Raise :class:`POIError` with the reason when a POI may not be offered now."""
    window = poi_window(fmt, speech)
    if window is None:
        raise POIError(f"{speech.title} takes no points of information.")
    if asker_side == speech.side:
        raise POIError("Points of information come from the other side.")
    start, end = window
    if elapsed < start:
        raise POIError(f"Protected time: points of information are open after the first {start} s.")
    if elapsed >= end:
        raise POIError(
            f"Protected time: points of information closed for the last {speech.seconds - end} s."
        )


def answer_poi(accepted: bool) -> str:
    """The speaker's answer as the thread reads it."""
    return "accepted: the floor is theirs for a short question" if accepted else "declined"


def _int(entry: dict[str, Any], key: str, where: str, lo: int, hi: int, default: int) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise FormatError(f"{where}: '{key}' must be a whole number from {lo} to {hi}")
    return value


def _points(entry: dict[str, Any], where: str) -> tuple[int, int] | None:
    value = entry.get("speaker_points")
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not 0 <= value[0] < value[1] <= 100
    ):
        raise FormatError(
            f"{where}: 'speaker_points' must be [low, high], whole numbers 0-100, low < high"
        )
    return value[0], value[1]


def _speech(entry: Any, where: str) -> Speech:
    if not isinstance(entry, dict):
        raise FormatError(f"{where}: must be a table with title, side and seconds")
    title = entry.get("title")
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= TITLE_LIMIT:
        raise FormatError(f"{where}: 'title' must be 1-{TITLE_LIMIT} characters")
    side = entry.get("side")
    if side not in SIDES:
        raise FormatError(f"{where}: 'side' must be 'for' or 'against', got {side!r}")
    poi = entry.get("poi", False)
    if not isinstance(poi, bool):
        raise FormatError(f"{where}: 'poi' must be true or false")
    team = entry.get("team")
    if team is not None and (not isinstance(team, str) or not 1 <= len(team.strip()) <= 40):
        raise FormatError(f"{where}: 'team' must be 1-40 characters")
    return Speech(
        title.strip(),
        side,
        _int(entry, "seconds", where, 30, 3600, 0),
        poi,
        team.strip() if team else None,
        _points(entry, where),
    )


def _check_teams(speeches: tuple[Speech, ...], where: str) -> None:
    named = [s for s in speeches if s.team]
    if not named:
        return
    if len(named) != len(speeches):
        raise FormatError(f"{where}: name the 'team' of every speech, or of none")
    sides: dict[str, str] = {}
    for s in named:
        assert s.team is not None
        if sides.setdefault(s.team, s.side) != s.side:
            raise FormatError(f"{where}: team {s.team!r} speaks for both sides")
    if not 2 <= len(sides) <= MAX_TEAMS:
        raise FormatError(f"{where}: 2 to {MAX_TEAMS} teams, got {len(sides)}")


def parse_formats(raw: dict[str, Any], source: str) -> tuple[Format, ...]:
    entries = raw.get("format", [])
    if not isinstance(entries, list) or not entries:
        raise FormatError(f"{source}: add at least one [[format]] table")
    formats: list[Format] = []
    for n, entry in enumerate(entries, 1):
        where = f"{source} format #{n}"
        if not isinstance(entry, dict):
            raise FormatError(f"{where}: must be a table")
        fid, name = entry.get("id"), entry.get("name")
        if not isinstance(fid, str) or not _ID.match(fid):
            raise FormatError(f"{where}: 'id' must be lower-case letters, digits and dashes")
        if any(f.id == fid for f in formats):
            raise FormatError(f"{where}: id {fid!r} is used twice")
        where = f"{source} format {fid!r}"
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= TITLE_LIMIT:
            raise FormatError(f"{where}: 'name' must be 1-{TITLE_LIMIT} characters")
        speeches = entry.get("speeches")
        if not isinstance(speeches, list) or not 1 <= len(speeches) <= MAX_SPEECHES:
            raise FormatError(f"{where}: 'speeches' must list 1 to {MAX_SPEECHES} speeches")
        parsed = tuple(_speech(s, f"{where} speech #{i}") for i, s in enumerate(speeches, 1))
        if {s.side for s in parsed} != set(SIDES):
            raise FormatError(f"{where}: both sides must speak")
        _check_teams(parsed, where)
        veto = entry.get("motion_veto", False)
        if not isinstance(veto, bool):
            raise FormatError(f"{where}: 'motion_veto' must be true or false")
        fmt = Format(
            id=fid,
            name=name.strip(),
            speeches=parsed,
            prep_minutes=_int(entry, "prep_minutes", where, 0, 120, 0),
            poi_protected_seconds=_int(entry, "poi_protected_seconds", where, 0, 300, 0),
            speaker_points=_points(entry, where) or (60, 80),
            motion_veto=veto,
        )
        for speech in parsed:
            if speech.poi and poi_window(fmt, speech) is None:
                raise FormatError(
                    f"{where}: {speech.title!r} is too short for POIs with "
                    f"{fmt.poi_protected_seconds} s protected at each end"
                )
        formats.append(fmt)
    return tuple(formats)


def load_formats(path: Path) -> tuple[Format, ...]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FormatError(
            f"formats file {path} not found: fix [debate] formats_file, or leave it out for the "
            "shipped formats"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"{path} is not valid TOML ({exc})") from None
    return parse_formats(raw, str(path))
