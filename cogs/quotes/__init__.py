"""Quotes and answers: the curated, moderated quote store and /ask."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Herbot


async def setup(bot: Herbot) -> None:
    from cogs.quotes.ask_cog import Ask
    from cogs.quotes.cog import Quotes

    await bot.add_cog(Quotes(bot))
    await bot.add_cog(Ask(bot))
