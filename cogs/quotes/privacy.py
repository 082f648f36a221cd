"""The quote store's and /ask's part in /privacy: forget-me, opt-out of quoting, status.

Each runs inside the core's one transaction. Forgetting deletes every quote of the member's
own words (approved included) and their pending submissions, removes their name from rows
they submitted, edited or reviewed, and deletes their /ask questions and the vectors of the
deleted texts, their knowledge-gap questions, their ratings of /ask's answers and the
phrasings a curator taught from their questions (a curator's own name comes off what they
decided). Nominations by reaction: the rows of their messages are deleted, and their
id is removed from nominations their reaction completed.
"""

from __future__ import annotations

from bot.db import Reader, Transaction
from bot.feature import Counts, Privacy, Scope
from cogs.quotes import nominations_store, review_store
from cogs.quotes.ask import dense, gaps_store, sessions
from cogs.quotes.ask.dense import content_hash, document

# What a member reads in /privacy status and forget-me (plurals marked for bot.presentation.plural)
WORDS = "quote[s] of your words"
PENDING = "pending quote submission[s]"
NAMED = "quote[s] you submitted, edited or reviewed"
ASKED = "question[s] you asked with /ask"
NOMINATED = "nomination[s] of your messages"
GAPS = "unanswered question[s] shown to the server's curators"
RATED = "rating[s] of /ask answers"
LEARNED = "question[s] of yours a curator taught /ask"


async def forget(tx: Transaction, user_id: int) -> Counts:
    gone = await review_store.forget_member(tx, user_id)
    await dense.forget_vectors(tx, (content_hash(document(*row)) for row in gone.embedded))
    loop = await gaps_store.forget_user(tx, user_id)  # before the sessions its ratings cite
    asked = await sessions.forget_user(tx, user_id)
    nominated, reacted = await nominations_store.forget(tx, user_id)
    return {
        WORDS: gone.words,
        PENDING: gone.submissions,
        NAMED + " (your name removed)": gone.anonymised,
        ASKED: asked,
        NOMINATED: nominated,
        "nomination[s] your reaction completed (your name removed)": reacted,
        GAPS: loop.gaps,
        RATED: loop.ratings,
        LEARNED: loop.learned,
    }


async def status(db: Reader, user_id: int) -> Counts:
    """The same rows forget-me would remove, under the same labels: each row counted once."""
    words, pending, named = await review_store.member_counts(db, user_id)
    loop = await gaps_store.member_counts(db, user_id)
    return {
        WORDS: words,
        PENDING: pending,
        NAMED: named,
        ASKED: await sessions.count_user(db, user_id),
        NOMINATED: await nominations_store.member_count(db, user_id),
        GAPS: loop.gaps,
        RATED: loop.ratings,
        LEARNED: loop.learned,
    }


async def opt_out(tx: Transaction, user_id: int, scope: Scope) -> Counts:
    if scope != "quote":
        return {}
    return {
        "pending quote[s] of your messages": await review_store.withdraw_pending_of_author(
            tx, user_id
        ),
        "unanswered question[s] withdrawn from the curators' list": (
            await gaps_store.withdraw_open(tx, user_id)
        ),
    }


PRIVACY = Privacy(
    forget=forget,
    status=status,
    opt_out=opt_out,
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
        "ask_gaps": ("question", "user_id", "vector"),
        "ask_ratings": ("user_id", "helpful"),
        "ask_learned": ("question", "vector", "asked_by", "decided_by"),
        "ask_vectors": ("content_hash", "vector"),
        # A nominated message's author and the member whose reaction reached the threshold;
        # the message id points at the member's words on Discord, as message_link does.
        "quote_nominations": ("author_id", "nominated_by", "message_id"),
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
        "ask_sessions": ("id", "guild_id", "created_at", "answer_id"),
        "ask_gaps": ("id", "guild_id", "reason", "status", "quote_id", "created_at"),
        "ask_ratings": ("session_id", "guild_id", "created_at"),
        "ask_learned": ("id", "guild_id", "kind", "quote_id", "created_at"),
        "ask_vectors": ("model",),
        "ask_generation": ("id", "value"),
        "quote_nominations": (
            "guild_id",
            "channel_id",
            "reactions",
            "outcome",
            "quote_id",
            "created_at",
        ),
    },
    fts_tables=("quotes_fts", "quotes_ac"),
)
