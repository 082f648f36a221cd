"""Thread recording: live transcripts with edit history, search, exports and privacy."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Herbot


async def setup(bot: Herbot) -> None:
    from cogs.threads.cog import Threads
    from cogs.threads.config import ThreadsConfig

    await bot.add_cog(Threads(bot, ThreadsConfig.from_section(bot.settings.section("threads"))))
