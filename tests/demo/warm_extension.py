"""A test extension with a ``warm_up`` hook that leaves a mark its ``setup`` can see."""

from __future__ import annotations

from typing import Any

from bot import guild_settings

MARK = (0, "qotd_time", "06:30")  # guild 0 does not exist: nothing else reads it


async def warm_up(db: Any, settings: Any) -> None:
    await guild_settings.set_value(db, *MARK)


async def setup(bot: Any) -> None:
    guild_id, key, value = MARK
    bot.warmed_before_setup = await guild_settings.get(bot.db, guild_id, key) == value
