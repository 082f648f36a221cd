"""A test feature with a ``warm_up`` that leaves a mark its ``setup`` can see."""

from __future__ import annotations

from typing import Any

from bot import guild_settings
from bot.feature import Feature

MARK = (0, "qotd_time", "06:30")  # guild 0 does not exist: nothing else reads it


async def _warm_up(db: Any, settings: Any) -> None:
    async with db.transaction() as tx:
        await guild_settings.set_value(tx, *MARK)


async def _setup(bot: Any) -> None:
    guild_id, key, value = MARK
    bot.warmed_before_setup = await guild_settings.get(bot.db, guild_id, key) == value


feature = Feature(name="warm", description="a test feature", setup=_setup, warm_up=_warm_up)
