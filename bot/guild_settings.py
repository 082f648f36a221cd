"""Per-guild setting overrides (moderator role, channels, quote-of-the-day time).

Values are stored as text in ``guild_settings``; :data:`KEYS` says how each is parsed, so a
bad value is refused when it is set rather than when it is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.db import Reader, Transaction


def _snowflake(value: str) -> int:
    if not value.isdigit():
        raise ValueError("must be an id (digits only)")
    return int(value)


def _hhmm(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError("must be a UTC time as HH:MM, e.g. 09:00")
    return value


def _id_list(value: str) -> list[int]:
    return [_snowflake(v.strip()) for v in value.split(",") if v.strip()]


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    description: str
    parse: Callable[[str], object]


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("moderator_role_id", "role whose members may moderate herbot", _snowflake),
        Key("qotd_channel_id", "channel for the quote of the day", _snowflake),
        Key("qotd_time", "UTC time of the quote of the day (HH:MM)", _hhmm),
        Key("debate_channel_id", "channel where debate threads are opened", _snowflake),
        Key("record_channel_ids", "channels recorded automatically (comma-separated)", _id_list),
    )
}


class UnknownSetting(KeyError):
    pass


async def get(db: Reader, guild_id: int, key: str) -> object | None:
    if key not in KEYS:
        raise UnknownSetting(key)
    async with db.execute(
        "SELECT value FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else KEYS[key].parse(row[0])


async def get_all(db: Reader, guild_id: int) -> dict[str, object]:
    async with db.execute(
        "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
    ) as cur:
        rows = await cur.fetchall()
    return {k: KEYS[k].parse(v) for k, v in rows if k in KEYS}


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
    return parsed


async def clear(tx: Transaction, guild_id: int, key: str) -> bool:
    if key not in KEYS:
        raise UnknownSetting(key)
    cur = await tx.execute(
        "DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
    )
    return cur.rowcount > 0
