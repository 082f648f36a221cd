"""Quotes and answers: the curated, moderated quote store and /ask.

Forget-me deletes every quote of the member's own words (``author_id``: a message of theirs
saved by anyone, whatever its status, approved included), their pending submissions, the
questions they asked with /ask (knowledge gaps, ratings and phrasings taught from their
questions included) and /ask's cached vectors of the deleted texts; elsewhere
their id is removed (``submitted_by``, ``edited_by``, ``reviewed_by`` become NULL). Opting
out of quotes withdraws the pending quotes of their messages and their open /ask
knowledge-gap questions, and keeps new ones off the curators' list.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.feature import Feature, NeedsContent
from cogs.quotes.config import KEYS
from cogs.quotes.privacy import PRIVACY

if TYPE_CHECKING:
    from bot.app import Herbot
    from bot.config import Settings
    from bot.db import Database
    from bot.doctor import Finding


async def _setup(bot: Herbot) -> None:
    from cogs.quotes.ask.cog import Ask
    from cogs.quotes.ask.gaps_cog import Asked
    from cogs.quotes.cog import Quotes
    from cogs.quotes.link_cog import QuoteLinks
    from cogs.quotes.nominations_cog import QuoteNominations

    links = QuoteLinks(bot)
    await bot.add_cog(links)
    await bot.add_cog(Quotes(bot, links))
    await bot.add_cog(QuoteNominations(bot))
    ask = Ask(bot)
    await bot.add_cog(ask)
    await bot.add_cog(Asked(bot, ask.retriever))


async def _seed(db: Database, settings: Settings) -> None:
    from cogs.quotes.seed import ensure_curated

    await ensure_curated(db, settings)


async def _warm_up(db: Database, settings: Settings) -> None:
    """Before the bot starts: cache a vector for every passage, so /ask is hybrid at once."""
    from cogs.quotes.ask.hybrid import Retriever

    await Retriever(db).start()


def _doctor(settings: Settings) -> list[Finding]:
    from cogs.quotes.doctor import doctor

    return doctor(settings)


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
    privacy=PRIVACY,
    # A nomination reads the reacted message's words; the message menus receive theirs.
    message_content=(
        NeedsContent(
            "Nominations by reaction",
            commands=("quote nominations",),
            instead="Members can still save a message with its menu: Apps → Save as quote.",
        ),
    ),
    permissions=("view_channel", "read_message_history", "send_messages", "embed_links"),
    settings={"quotes": KEYS},
    doctor=_doctor,
)
