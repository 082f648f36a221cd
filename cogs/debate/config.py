"""The [debate] settings (speech lengths, warnings, formats), validated once at load."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError, Settings
from cogs.debate.formats import Format, FormatError, load_formats

if TYPE_CHECKING:
    from bot.doctor import Finding

KEYS = ("formats_file", "extend_seconds", "warnings", "phase_seconds")  # what [debate] holds

# Timed phases and their default speech lengths in seconds.
DEFAULT_PHASE_SECONDS = {
    "opening_for": 300,
    "opening_against": 300,
    "rebuttal": 180,
    "questions": 120,
    "closing_for": 180,
    "closing_against": 180,
}
# The pre- and post-debate votes' options.
DEBATE_OPTIONS = ("For", "Against", "Undecided")


@dataclass(frozen=True, slots=True)
class DebateConfig:
    extend_seconds: int = 60
    warnings: tuple[int, ...] = (60, 30)
    phase_seconds: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PHASE_SECONDS))
    formats: tuple[Format, ...] = ()  # config/formats.toml (cogs/debate/formats.py)


def _number(table: Mapping[str, Any], key: str, default: float, lo: float, hi: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ConfigError(f"[debate] '{key}' must be a number from {lo} to {hi}, got {value!r}")
    return float(value)


def load_config(section: Mapping[str, Any], resolve: Callable[[str], Path]) -> DebateConfig:
    """Validate the [debate] table of settings.toml; ``resolve`` maps a setting to a path."""
    try:
        formats = load_formats(resolve(section.get("formats_file", "config/formats.toml")))
    except FormatError as exc:
        raise ConfigError(str(exc)) from None
    phases = dict(DEFAULT_PHASE_SECONDS)
    raw_phases = section.get("phase_seconds", {})
    if not isinstance(raw_phases, dict):
        raise ConfigError("[debate.phase_seconds] must be a table of phase = seconds")
    for name in raw_phases:
        if name not in phases:
            raise ConfigError(f"[debate.phase_seconds] unknown phase {name!r}: {sorted(phases)}")
        phases[name] = int(_number(raw_phases, name, 0, 30, 3600))
    warnings = section.get("warnings", [60, 30])
    if not isinstance(warnings, list) or not all(
        isinstance(w, int) and 1 <= w <= 600 for w in warnings
    ):
        raise ConfigError("[debate] 'warnings' must be a list of seconds (1-600), e.g. [60, 30]")
    return DebateConfig(
        extend_seconds=int(_number(section, "extend_seconds", 60, 10, 1800)),
        warnings=tuple(sorted(set(warnings), reverse=True)),
        phase_seconds=phases,
        formats=formats,
    )


def doctor(settings: Settings) -> list[Finding]:
    """``herbot doctor``: the values of [debate] and the formats file."""
    from bot.doctor import config_problem

    section = {k: v for k, v in settings.section("debate").items() if k in KEYS}
    return config_problem("settings", lambda: load_config(section, settings.path))
