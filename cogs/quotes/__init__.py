"""Quotes and answers: the curated, moderated quote store and /ask."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import aiosqlite

    from bot.app import Herbot
    from bot.config import Settings


async def warm_up(db: aiosqlite.Connection, settings: Settings) -> None:
    """Before the bot starts: cache a vector for every passage, so /ask is hybrid at once."""
    from cogs.quotes.retrieval.hybrid import Retriever

    await Retriever(db).start()


async def setup(bot: Herbot) -> None:
    from cogs.quotes.ask_cog import Ask
    from cogs.quotes.cog import Quotes

    await bot.add_cog(Quotes(bot))
    await bot.add_cog(Ask(bot))
