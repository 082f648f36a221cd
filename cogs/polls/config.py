"""Preset motions (config/motions.toml) and the [polls] settings, validated once at load.

The poll settings lived in ``[debate]`` until polls became their own feature: a key found
only there is still read, with one deprecation warning naming its new place.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError, Settings

if TYPE_CHECKING:
    from bot.doctor import Finding

log = logging.getLogger(__name__)

MOTION_OPTIONS = ("For", "Against", "Undecided")
MAX_OPTIONS = 10
MIN_OPTIONS = 2
OPTION_LIMIT = 80  # a button label
MOTION_LIMIT = 300
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Motion:
    id: str
    text: str
    options: tuple[str, ...] = MOTION_OPTIONS


def check_options(options: list[str] | tuple[str, ...], where: str = "options") -> tuple[str, ...]:
    """Strip, and refuse empty, duplicate, over-long or too many/few options."""
    cleaned = tuple(o.strip() for o in options if o.strip())
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        raise ValueError(
            f"{where}: give {MIN_OPTIONS} to {MAX_OPTIONS} options, not {len(cleaned)}"
        )
    too_long = [o for o in cleaned if len(o) > OPTION_LIMIT]
    if too_long:
        raise ValueError(f"{where}: an option may have at most {OPTION_LIMIT} characters")
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise ValueError(f"{where}: options must differ from each other")
    return cleaned


def load_motions(path: Path) -> list[Motion]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"motions file {path} not found: see config/motions.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc})") from None
    entries = raw.get("motion", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: add at least one [[motion]] table")
    motions: list[Motion] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, 1):
        where = f"{path} motion #{i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a table")
        mid, text = entry.get("id"), entry.get("text")
        if not isinstance(mid, str) or not _ID.match(mid):
            raise ConfigError(f"{where}: 'id' must be lower-case letters, digits and dashes")
        if mid in seen:
            raise ConfigError(f"{where}: id {mid!r} is used twice")
        seen.add(mid)
        if not isinstance(text, str) or not 1 <= len(text.strip()) <= MOTION_LIMIT:
            raise ConfigError(f"{where}: 'text' must be 1-{MOTION_LIMIT} characters")
        options = entry.get("options", list(MOTION_OPTIONS))
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise ConfigError(f"{where}: 'options' must be a list of strings")
        try:
            checked = check_options(options, where)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        motions.append(Motion(mid, text.strip(), checked))
    return motions


@dataclass(frozen=True, slots=True)
class PollsConfig:
    motions: tuple[Motion, ...]
    poll_default_hours: float = 24.0
    poll_max_days: int = 32
    tally_refresh_seconds: float = 2.0
    poll_reminder_minutes: int = 60  # a poll's role is reminded this long before it closes

    def motion(self, key: str) -> Motion | None:
        """A preset by id or exact text (what autocomplete fills in)."""
        for m in self.motions:
            if key in (m.id, m.text):
                return m
        return None


KEYS = ("motions_file", "poll_default_hours", "tally_refresh_seconds", "poll_reminder_minutes")
# Settings that only chose a benchmark's baseline (bench/ keeps those now): ignored, warned.
RETIRED = ("batch_votes", "vote_path")


def moved_keys(polls: Mapping[str, Any], debate: Mapping[str, Any]) -> list[str]:
    """Keys of ``[polls]`` still written under ``[debate]`` (read from there, warned)."""
    return [key for key in KEYS if key in debate and key not in polls]


def merged_section(polls: Mapping[str, Any], debate: Mapping[str, Any]) -> dict[str, Any]:
    """``[polls]``, with the keys still written under ``[debate]`` read from there (warned)."""
    merged = dict(polls)
    retired = [key for key in RETIRED if key in polls or key in debate]
    if retired:
        log.warning(
            "settings: %s no longer exist (votes always take the fast lane and group commits;"
            " the benchmarks keep their baselines in bench/): remove them",
            ", ".join(retired),
        )
    moved = moved_keys(polls, debate)
    for key in moved:
        merged[key] = debate[key]
    if moved:
        log.warning(
            "settings: %s belong in [polls] now (read from [debate] for now; move them)",
            ", ".join(moved),
        )
    return merged


def _number(table: Mapping[str, Any], key: str, default: float, lo: float, hi: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ConfigError(f"[polls] '{key}' must be a number from {lo} to {hi}, got {value!r}")
    return float(value)


def load_config(section: Mapping[str, Any], resolve: Callable[[str], Path]) -> PollsConfig:
    """Validate the [polls] table of settings.toml; ``resolve`` maps a setting to a path."""
    motions = load_motions(resolve(section.get("motions_file", "config/motions.toml")))
    return PollsConfig(
        motions=tuple(motions),
        poll_default_hours=_number(section, "poll_default_hours", 24, 1 / 60, 32 * 24),
        tally_refresh_seconds=_number(section, "tally_refresh_seconds", 2.0, 0.5, 60),
        poll_reminder_minutes=int(_number(section, "poll_reminder_minutes", 60, 0, 7 * 24 * 60)),
    )


def doctor(settings: Settings) -> list[Finding]:
    """``herbot doctor``: the values of [polls] and the motions file (unknown keys are the
    core's to name; the retired ones among them)."""
    from bot.doctor import config_problem, note

    polls, debate = settings.section("polls"), settings.section("debate")
    moved = moved_keys(polls, debate)
    section = {k: v for k, v in polls.items() if k in KEYS} | {k: debate[k] for k in moved}
    found = config_problem("settings", lambda: load_config(section, settings.path))
    if moved:
        found.append(
            note(
                "settings",
                f"[debate] {', '.join(moved)} belong in [polls] now (read from [debate] for "
                "now): move them",
            )
        )
    return found
