"""Quotes and answers: the curated, moderated quote store and /ask.

Forget-me deletes every quote of the member's own words (``author_id``: a message of theirs
saved by anyone, whatever its status, approved included), their pending submissions, the
questions they asked with /ask and /ask's cached vectors of the deleted texts; elsewhere
their id is removed (``submitted_by``, ``edited_by``, ``reviewed_by`` become NULL). Opting
out of quotes withdraws the pending quotes of their messages.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.feature import Counts, Feature, Privacy, Scope

if TYPE_CHECKING:
    from bot.app import Herbot
    from bot.config import Settings
    from bot.db import Database, Reader, Transaction


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


async def _forget(tx: Transaction, user_id: int) -> Counts:
    from cogs.quotes import store
    from cogs.quotes.retrieval import sessions
    from cogs.quotes.retrieval.dense import content_hash, document

    gone = await store.forget_member(tx, user_id)
    await store.forget_vectors(tx, (content_hash(document(*row)) for row in gone.embedded))
    asked = await sessions.forget_user(tx, user_id)
    return {
        "quotes of your words": gone.words,
        "pending quote submissions": gone.submissions,
        "quotes you submitted, edited or reviewed (your name removed)": gone.anonymised,
        "questions you asked with /ask": asked,
    }


async def _status(db: Reader, user_id: int) -> Counts:
    from cogs.quotes import store
    from cogs.quotes.retrieval import sessions

    words, submitted = await store.member_counts(db, user_id)
    return {
        "quotes of your words": words,
        "quotes you submitted": submitted,
        "questions you asked with /ask": await sessions.count_user(db, user_id),
    }


async def _opt_out(tx: Transaction, user_id: int, scope: Scope) -> Counts:
    if scope != "quote":
        return {}
    from cogs.quotes import store

    return {"pending quotes of your messages": await store.withdraw_pending_of_author(tx, user_id)}


_PRIVACY = Privacy(
    forget=_forget,
    status=_status,
    opt_out=_opt_out,
    personal_columns={
        "quotes": (
            "text",
            "speaker",
            "author_id",
            "message_link",
            "submitted_by",
            "edited_by",
            "reviewed_by",
        ),
        "quotes_fts": ("text", "speaker"),
        "quotes_ac": ("text", "speaker"),
        "ask_sessions": ("question", "user_id"),
        "ask_vectors": ("content_hash", "vector"),
    },
    other_columns={
        "quotes": (
            "id",
            "source_id",
            "locator",
            "kind",
            "tags",
            "note",
            "status",
            "origin",
            "guild_id",
            "edited_at",
            "reviewed_at",
            "created_at",
            "updated_at",
        ),
        "quotes_fts": ("tags", "note"),
        "quotes_ac": ("tags",),
        "quote_sources": (
            "id",
            "kind",
            "title",
            "year",
            "director",
            "publication",
            "author",
            "url",
            "file",
            "note",
        ),
        "qotd_posts": ("guild_id", "day", "quote_id", "posted_at"),
        "ask_sessions": ("id", "guild_id", "created_at"),
        "ask_vectors": ("model",),
        "ask_generation": ("id", "value"),
    },
    fts_tables=("quotes_fts", "quotes_ac"),
)


feature = Feature(
    name="quotes",
    description="Quotes and answers: the curated, moderated quote store and /ask",
    setup=_setup,
    seed=_seed,
    warm_up=_warm_up,
    cli=_cli,
    privacy=_PRIVACY,
)
