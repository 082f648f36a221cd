"""Quotes and answers: the curated, moderated quote store and /ask."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.feature import Feature

if TYPE_CHECKING:
    from bot.app import Herbot
    from bot.config import Settings
    from bot.db import Database


async def _setup(bot: Herbot) -> None:
    from cogs.quotes.ask_cog import Ask
    from cogs.quotes.cog import Quotes

    await bot.add_cog(Quotes(bot))
    await bot.add_cog(Ask(bot))


async def _seed(db: Database, settings: Settings) -> None:
    from cogs.quotes.seed import ensure_curated

    await ensure_curated(db, settings)


async def _warm_up(db: Database, settings: Settings) -> None:
    """Before the bot starts: cache a vector for every passage, so /ask is hybrid at once."""
    from cogs.quotes.retrieval.hybrid import Retriever

    await Retriever(db).start()


def _cli(sub: argparse._SubParsersAction) -> None:
    from cogs.quotes.cli import register

    register(sub)


feature = Feature(
    name="quotes",
    description="Quotes and answers: the curated, moderated quote store and /ask",
    setup=_setup,
    seed=_seed,
    warm_up=_warm_up,
    cli=_cli,
)
