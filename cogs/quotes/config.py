"""The ``[quotes]`` section of settings.toml, validated once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError, Settings

KEYS = ("curated_dir", "max_text_length", "qotd_time")  # what [quotes] may hold


@dataclass(frozen=True, slots=True)
class QuotesConfig:
    curated_dir: Path
    max_text_length: int = 1000
    qotd_time: str = "09:00"

    @classmethod
    def from_settings(cls, settings: Settings) -> QuotesConfig:
        raw = settings.section("quotes")
        curated_dir = raw.get("curated_dir", "config/quotes")
        max_len = raw.get("max_text_length", 1000)
        qotd_time = raw.get("qotd_time", "09:00")
        if not isinstance(curated_dir, str) or not curated_dir:
            raise ConfigError('[quotes] curated_dir must be a path, e.g. "config/quotes"')
        if not isinstance(max_len, int) or not 1 <= max_len <= 4000:
            raise ConfigError("[quotes] max_text_length must be a number from 1 to 4000")
        if not isinstance(qotd_time, str) or not re.fullmatch(
            r"([01]\d|2[0-3]):[0-5]\d", qotd_time
        ):
            raise ConfigError('[quotes] qotd_time must be a UTC time as "HH:MM"')
        return cls(settings.path(curated_dir), max_len, qotd_time)
