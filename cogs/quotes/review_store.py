"""The review queue's SQL: submissions, approvals and edits, and members' part in /privacy.

Reviews and edits are single guarded UPDATEs (``WHERE status = 'pending'`` and so on), so
two moderators clicking at once cannot both win. Writers take the
:class:`~bot.db.Transaction` they run in and never commit; a submission asks the privacy
ledger in that transaction (an opt-out or a forget committed a moment ago holds).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import privacy
from bot.db import Reader, Transaction
from cogs.quotes.quote import StoredQuote, join_tags
from cogs.quotes.quote_store import SELECT, fetch_quotes, now_sql


class AlreadySaved(Exception):
    """That message is already pending or approved as a quote."""

    def __init__(self, quote_id: str | None) -> None:
        super().__init__(quote_id)
        self.quote_id = quote_id


@dataclass(frozen=True, slots=True)
class Submission:
    text: str
    speaker: str
    guild_id: int
    submitted_by: int | None  # None: nominated by reactions (cogs.quotes.nominations)
    origin: str = "submitted"  # 'submitted' (modal), 'message' (context menu), 'transcript'
    source_id: str = "discord"
    locator: str = ""
    author_id: int | None = None
    message_link: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    # When the author wrote the words (the message's time): a member forgotten since then
    # is not quoted (bot/privacy.py). None with an author: taken as before any forget.
    written_at: datetime | None = None


async def pending(db: Reader, guild_id: int, limit: int = 5) -> list[StoredQuote]:
    """The oldest pending submissions of a guild."""
    return await fetch_quotes(
        db,
        f"{SELECT} WHERE q.status = 'pending' AND q.guild_id = :guild "
        "ORDER BY q.created_at, q.rowid LIMIT :limit",
        {"guild": guild_id, "limit": limit},
    )


async def count_pending(db: Reader, guild_id: int) -> int:
    async with db.execute(
        "SELECT count(*) FROM quotes WHERE status = 'pending' AND guild_id = ?", (guild_id,)
    ) as c:
        row = await c.fetchone()
    return int(row[0]) if row else 0


async def submit_pending(tx: Transaction, submission: Submission) -> str:
    """Put a submission in the pending queue; returns its new id.

    Raises :class:`AlreadySaved` when the same message (``message_link``) is already
    pending or approved in that guild; nothing is written then and ``tx`` goes on.
    Raises :class:`bot.privacy.Withheld` when the author opted out of quotes or asked to be
    forgotten after writing the words (read in ``tx``: an opt-out or a forget committed a
    moment ago in any process holds); nothing is written then either.
    """
    if submission.author_id is not None:
        await privacy.check_words(tx, "quote", submission.author_id, submission.written_at)
    while True:
        quote_id = f"sub-{secrets.token_hex(3)}"
        # No conflict target: a clash on the id or on the one-quote-per-message index both
        # write nothing, and the transaction stays usable (no failed statement to undo).
        cur_ = await tx.execute(
            "INSERT INTO quotes (id, text, speaker, source_id, locator, kind, tags, "
            "note, status, origin, guild_id, submitted_by, author_id, message_link) "
            "VALUES (?, ?, ?, ?, ?, 'submission', ?, ?, 'pending', ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (
                quote_id,
                submission.text,
                submission.speaker,
                submission.source_id,
                submission.locator,
                join_tags(submission.tags),
                submission.note,
                submission.origin,
                submission.guild_id,
                submission.submitted_by,
                submission.author_id,
                submission.message_link,
            ),
        )
        if cur_.rowcount:
            return quote_id
        if submission.message_link is not None:
            saved = await saved_message(tx, submission.guild_id, submission.message_link)
            if saved is not None:
                raise AlreadySaved(saved)


async def saved_message(db: Reader, guild_id: int, link: str) -> str | None:
    return await db.fetchval(
        "SELECT id FROM quotes WHERE guild_id = ? AND message_link = ? "
        "AND status IN ('pending', 'approved')",
        (guild_id, link),
    )


async def withdraw_pending_of_author(tx: Transaction, user_id: int) -> int:
    """On opt-out: delete pending quotes of the member's own messages."""
    cur_ = await tx.execute(
        "DELETE FROM quotes WHERE status = 'pending' AND author_id = ?", (user_id,)
    )
    return cur_.rowcount


@dataclass(frozen=True, slots=True)
class Forgotten:
    words: int  # quotes of the member's own words (any status) deleted
    submissions: int  # the member's pending submissions deleted
    anonymised: int  # other rows the member submitted, edited or reviewed: ids removed
    # (text, locator, tags) of the deleted rows: what /ask embedded, to drop their vectors
    embedded: tuple[tuple[str, str, str], ...]


async def forget_member(tx: Transaction, user_id: int) -> Forgotten:
    """Delete every quote of the member's words and their pending submissions; anonymise
    the rest of what names them (submitted_by, edited_by, reviewed_by become NULL).

    A moderator's edit stays protected from a curated re-import after the moderator is
    forgotten: imports look at ``edited_at``, which is kept.
    """
    rows = await tx.fetchall(
        "SELECT text, locator, tags FROM quotes WHERE author_id = :u "
        "OR (submitted_by = :u AND status = 'pending')",
        {"u": user_id},
    )
    words = await tx.execute("DELETE FROM quotes WHERE author_id = ?", (user_id,))
    pending_ = await tx.execute(
        "DELETE FROM quotes WHERE submitted_by = ? AND status = 'pending'", (user_id,)
    )
    anonymised = await tx.execute(
        "UPDATE quotes SET "
        "submitted_by = CASE WHEN submitted_by = :u THEN NULL ELSE submitted_by END, "
        "edited_by = CASE WHEN edited_by = :u THEN NULL ELSE edited_by END, "
        "reviewed_by = CASE WHEN reviewed_by = :u THEN NULL ELSE reviewed_by END "
        "WHERE submitted_by = :u OR edited_by = :u OR reviewed_by = :u",
        {"u": user_id},
    )
    return Forgotten(
        words.rowcount,
        pending_.rowcount,
        anonymised.rowcount,
        tuple((r["text"], r["locator"], r["tags"]) for r in rows),
    )


async def member_counts(db: Reader, user_id: int) -> tuple[int, int, int]:
    """What :func:`forget_member` would do now, each row counted once: (quotes of the
    member's words, their other pending submissions, other quotes naming them as submitter,
    editor or reviewer), any status."""
    theirs = "COALESCE(author_id, 0) <> :u"
    pending = "submitted_by = :u AND status = 'pending'"
    row = await db.fetchone(
        "SELECT (SELECT count(*) FROM quotes WHERE author_id = :u), "
        f"(SELECT count(*) FROM quotes WHERE {theirs} AND {pending}), "
        f"(SELECT count(*) FROM quotes WHERE {theirs} AND NOT ({pending}) "
        " AND (submitted_by = :u OR edited_by = :u OR reviewed_by = :u))",
        {"u": user_id},
    )
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


async def _review(
    tx: Transaction, quote_id: str, guild_id: int, moderator_id: int, status: str
) -> bool:
    now = now_sql()
    cur_ = await tx.execute(
        "UPDATE quotes SET status = ?, reviewed_by = ?, reviewed_at = ?, updated_at = ? "
        "WHERE id = ? AND guild_id = ? AND status = 'pending'",
        (status, moderator_id, now, now, quote_id, guild_id),
    )
    return cur_.rowcount > 0


async def approve(tx: Transaction, quote_id: str, guild_id: int, moderator_id: int) -> bool:
    """Approve a pending submission; False if it was already reviewed (or is not here)."""
    return await _review(tx, quote_id, guild_id, moderator_id, "approved")


async def reject(tx: Transaction, quote_id: str, guild_id: int, moderator_id: int) -> bool:
    return await _review(tx, quote_id, guild_id, moderator_id, "rejected")


async def edit(
    tx: Transaction,
    quote_id: str,
    guild_id: int,
    moderator_id: int,
    *,
    text: str | None = None,
    speaker: str | None = None,
    locator: str | None = None,
    tags: Iterable[str] | None = None,
    when: str | None = None,
) -> bool:
    """A moderator's edit; marks the row (``edited_at``) so a curated re-import keeps it."""
    sets = ["edited_by = :mod", "edited_at = :when", "updated_at = :when"]
    params: dict[str, Any] = {
        "id": quote_id,
        "guild": guild_id,
        "mod": moderator_id,
        "when": when or now_sql(),
    }
    for name, value in (("text", text), ("speaker", speaker), ("locator", locator)):
        if value is not None:
            sets.append(f"{name} = :{name}")
            params[name] = value.strip()
    if tags is not None:
        sets.append("tags = :tags")
        params["tags"] = join_tags(tags)
    cur_ = await tx.execute(
        f"UPDATE quotes SET {', '.join(sets)} WHERE id = :id "
        "AND (guild_id IS NULL OR guild_id = :guild) AND status IN ('approved', 'pending')",
        params,
    )
    return cur_.rowcount > 0


async def remove(tx: Transaction, quote_id: str, guild_id: int, moderator_id: int) -> bool:
    """Hide an approved quote; a removed curated quote stays removed on re-import."""
    now = now_sql()
    cur_ = await tx.execute(
        "UPDATE quotes SET status = 'removed', edited_by = ?, edited_at = ?, updated_at = ? "
        "WHERE id = ? AND (guild_id IS NULL OR guild_id = ?) AND status = 'approved'",
        (moderator_id, now, now, quote_id, guild_id),
    )
    return cur_.rowcount > 0
