"""Per-guild setting overrides (moderator role, channels, quote-of-the-day time).

Values are stored as text in ``guild_settings``; :data:`KEYS` says how each is parsed, so a
bad value is refused when it is set rather than when it is read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot import cache_sync
from bot.db import Reader, Transaction
from bot.text import is_snowflake

log = logging.getLogger(__name__)


def _snowflake(value: str) -> int:
    if not is_snowflake(value):
        raise ValueError("must be an id (digits 0-9 only, at most 20 of them)")
    return int(value)


def _hhmm(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError("must be a UTC time as HH:MM, e.g. 09:00")
    return value


MAX_IDS = 25


def _id_list(value: str) -> list[int]:
    ids = list(dict.fromkeys(_snowflake(v.strip()) for v in value.split(",") if v.strip()))
    if len(ids) > MAX_IDS:
        raise ValueError(f"can list at most {MAX_IDS} ids")
    return ids


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    description: str
    parse: Callable[[str], object]
    unset: str  # what herbot does when neither this server nor settings.toml sets it
    config: tuple[str, str] | None = None  # the settings.toml [section] option it defaults to


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key(
            "moderator_role_id",
            "role whose members may moderate herbot",
            _snowflake,
            "only members with Manage Server moderate",
        ),
        Key(
            "qotd_channel_id",
            "channel for the quote of the day",
            _snowflake,
            "no quote of the day is posted",
        ),
        Key(
            "qotd_time",
            "UTC time of the quote of the day (HH:MM)",
            _hhmm,
            "09:00",
            ("quotes", "qotd_time"),
        ),
        Key(
            "debate_channel_id",
            "channel where debate threads are opened",
            _snowflake,
            "the channel /debate start is used in",
        ),
        Key(
            "record_channel_ids",
            "channels recorded automatically (comma-separated)",
            _id_list,
            "none",
            ("threads", "record_channel_ids"),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Effective:
    """A setting's value in force for a server, and where it comes from."""

    value: object | None  # None: not set anywhere (``Key.unset`` says what happens)
    source: str  # "this server", "settings.toml [quotes] qotd_time" or "default"


def effective(key: Key, server_value: object | None, settings: Any) -> Effective:
    """This server's value, else settings.toml's, else the built-in behaviour."""
    if server_value is not None:
        return Effective(server_value, "this server (/settings set)")
    if key.config is not None:
        section, option = key.config
        configured = settings.section(section).get(option)
        if configured not in (None, "", []):
            return Effective(configured, f"settings.toml [{section}] {option}")
    return Effective(None, "default")


class UnknownSetting(KeyError):
    pass


async def get(db: Reader, guild_id: int, key: str) -> object | None:
    if key not in KEYS:
        raise UnknownSetting(key)
    async with db.execute(
        "SELECT value FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    try:
        return KEYS[key].parse(row[0])
    except ValueError:  # stored before the rules were stricter: as if not set
        log.warning("ignoring the stored %s of guild %s: %r", key, guild_id, row[0][:40])
        return None


async def get_all(db: Reader, guild_id: int) -> dict[str, object]:
    async with db.execute(
        "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
    ) as cur:
        rows = await cur.fetchall()
    values = {}
    for key, value in rows:
        try:
            values[key] = KEYS[key].parse(value)
        except (KeyError, ValueError):  # unknown, or stored before the rules were stricter
            log.warning("ignoring the stored %s of guild %s: %r", key, guild_id, value[:40])
    return values


def _now() -> str:
    """Now as the schema's UTC text (what SQLite's strftime('%Y-%m-%dT%H:%M:%fZ') gives)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


async def set_value(tx: Transaction, guild_id: int, key: str, value: str) -> object:
    """Validate and store ``value``; raises ValueError with a readable reason if it is bad."""
    if key not in KEYS:
        raise UnknownSetting(key)
    parsed = KEYS[key].parse(value)
    await tx.execute(
        "INSERT INTO guild_settings (guild_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at",
        (guild_id, key, value, _now()),
    )
    await cache_sync.bump(tx, cache_sync.GUILD_SETTINGS)
    return parsed


async def clear(tx: Transaction, guild_id: int, key: str) -> bool:
    if key not in KEYS:
        raise UnknownSetting(key)
    cur = await tx.execute(
        "DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
    )
    if cur.rowcount > 0:
        await cache_sync.bump(tx, cache_sync.GUILD_SETTINGS)
    return cur.rowcount > 0
