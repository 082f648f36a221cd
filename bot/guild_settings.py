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


def _minutes(value: str) -> int:
    if not (value.isascii() and value.isdigit() and int(value) <= 7 * 24 * 60):
        raise ValueError("must be a whole number of minutes from 0 to 10080 (a week)")
    return int(value)


def _id_list(value: str) -> list[int]:
    ids = list(dict.fromkeys(_snowflake(v.strip()) for v in value.split(",") if v.strip()))
    if len(ids) > MAX_IDS:
        raise ValueError(f"can list at most {MAX_IDS} ids")
    return ids


_CUSTOM_EMOJI = re.compile(r"<a?:[A-Za-z0-9_]{2,32}:\d{1,20}>")


def _emoji(value: str) -> str:
    """One emoji as Discord sends it in a message: Unicode (⭐) or a custom one (<:name:id>)."""
    value = value.strip()
    if _CUSTOM_EMOJI.fullmatch(value):
        return value
    if (
        0 < len(value) <= 16
        and not any(c.isspace() or (c.isascii() and c.isalpha()) or c in "<>:" for c in value)
        and any(ord(c) >= 0x2000 for c in value)
    ):
        return value
    raise ValueError("must be one emoji: paste it (⭐), or pick a custom one (<:name:id>)")


def _on_off(value: str) -> bool:
    text = value.strip().lower()
    if text in ("on", "true", "yes", "1"):
        return True
    if text in ("off", "false", "no", "0"):
        return False
    raise ValueError("must be on or off")


def _threshold(value: str) -> int:
    if not re.fullmatch(r"\d{1,3}", value.strip()) or not 1 <= int(value) <= 100:
        raise ValueError("must be a whole number from 1 to 100")
    return int(value)


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
            "poll_reminder_minutes",
            "minutes before a poll closes that its role is reminded (0: never)",
            _minutes,
            "60",
            ("debate", "poll_reminder_minutes"),
        ),
        Key(
            "record_channel_ids",
            "channels recorded automatically (comma-separated)",
            _id_list,
            "none",
            ("threads", "record_channel_ids"),
        ),
        Key(
            "record_log_channel_id",
            "channel where /record stop post_transcript posts the transcript",
            _snowflake,
            "transcripts are not posted",
        ),
        Key(
            "record_save_attachments",
            "keep attachment bytes of recorded messages (on/off)",
            _on_off,
            "off",
            ("threads", "save_attachments"),
        ),
        Key(
            "quote_nominate_emoji",
            "reaction that nominates a message for the quote review queue",
            _emoji,
            "no message is nominated by reactions",
        ),
        Key(
            "quote_nominate_threshold",
            "members' reactions a message needs to be nominated (1-100)",
            _threshold,
            "5",
        ),
        Key(
            "quote_nominate_channel_ids",
            "channels whose messages can be nominated (comma-separated)",
            _id_list,
            "every channel",
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
    await cache_sync.bump(tx, cache_sync.GUILD_SETTINGS, guild_id=guild_id, key=key)
    return parsed


async def clear(tx: Transaction, guild_id: int, key: str) -> bool:
    if key not in KEYS:
        raise UnknownSetting(key)
    cur = await tx.execute(
        "DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
    )
    if cur.rowcount > 0:
        await cache_sync.bump(tx, cache_sync.GUILD_SETTINGS, guild_id=guild_id, key=key)
    return cur.rowcount > 0
