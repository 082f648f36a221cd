"""The [threads] section of settings.toml, validated once at start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError, Settings

if TYPE_CHECKING:
    from bot.doctor import Finding

DEFAULT_UPLOAD_LIMIT = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ThreadsConfig:
    retention_days: int = 365
    flush_interval: float = 1.0
    max_batch: int = 2000
    record_channel_ids: frozenset[int] = frozenset()
    max_upload_bytes: int = DEFAULT_UPLOAD_LIMIT
    max_backfill: int = 10_000
    # Catch-up after downtime (cogs/threads/recording/catchup.py): at most this many missed
    # messages per conversation (the oldest are kept; 0 turns catch-up off), at most this
    # many per start over every conversation (the rest wait for the next start or resume),
    # the last this-many kept messages re-read for edits and deletions made while down, and
    # this many conversations fetched at once.
    catchup_max: int = 5_000
    catchup_per_start: int = 50_000
    catchup_recheck: int = 100
    catchup_concurrency: int = 2

    @classmethod
    def from_section(cls, raw: dict[str, Any]) -> ThreadsConfig:
        where = "settings.toml [threads]"
        d = cls()  # the defaults
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(raw) - known
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        retention = raw.get("retention_days", d.retention_days)
        if not isinstance(retention, int) or retention < 0:
            raise ConfigError(f"{where}: 'retention_days' must be a whole number >= 0")
        interval = raw.get("flush_interval", d.flush_interval)
        if not isinstance(interval, int | float) or not 0.05 <= interval <= 60:
            raise ConfigError(f"{where}: 'flush_interval' must be seconds between 0.05 and 60")
        batch = raw.get("max_batch", d.max_batch)
        if not isinstance(batch, int) or batch < 1:
            raise ConfigError(f"{where}: 'max_batch' must be a whole number >= 1")
        channels = raw.get("record_channel_ids", [])
        if not isinstance(channels, list) or not all(isinstance(c, int) for c in channels):
            raise ConfigError(f"{where}: 'record_channel_ids' must be a list of channel ids")
        upload = raw.get("max_upload_bytes", d.max_upload_bytes)
        if not isinstance(upload, int) or upload < 64 * 1024:
            raise ConfigError(f"{where}: 'max_upload_bytes' must be at least 65536")
        backfill = raw.get("max_backfill", d.max_backfill)
        if not isinstance(backfill, int) or not 0 <= backfill <= 100_000:
            raise ConfigError(f"{where}: 'max_backfill' must be between 0 and 100000")
        bounds = {
            "catchup_max": (0, 1_000_000),
            "catchup_per_start": (1, 10_000_000),
            "catchup_recheck": (0, 10_000),
            "catchup_concurrency": (1, 16),
        }
        catchup: dict[str, int] = {}
        for key, (low, high) in bounds.items():
            value = raw.get(key, getattr(d, key))
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ConfigError(f"{where}: '{key}' must be a whole number from {low} to {high}")
            catchup[key] = value
        return cls(
            retention_days=retention,
            flush_interval=float(interval),
            max_batch=batch,
            record_channel_ids=frozenset(channels),
            max_upload_bytes=upload,
            max_backfill=backfill,
            **catchup,
        )


KEYS = tuple(ThreadsConfig.__dataclass_fields__)  # what [threads] may hold


def doctor(settings: Settings) -> list[Finding]:
    """``herbot doctor``: the values of [threads] (unknown keys are the core's to name)."""
    from bot.doctor import config_problem

    section = {k: v for k, v in settings.section("threads").items() if k in KEYS}
    return config_problem("settings", lambda: ThreadsConfig.from_section(section))
