"""The quote store: plain SQL over the ``quotes`` table (no discord import).

The two functions below are the contract other features rely on (thread recording's
"Save as quote" and "forget me"); keep their signatures.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import aiosqlite


@dataclass(frozen=True, slots=True)
class Submission:
    text: str
    speaker: str
    guild_id: int
    submitted_by: int
    origin: str = "submitted"  # 'submitted' (modal), 'message' (context menu), 'transcript'
    source_id: str = "discord"
    locator: str = ""
    author_id: int | None = None
    message_link: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""


async def submit_pending(db: aiosqlite.Connection, submission: Submission) -> str:
    """Put a submission in the pending queue; returns its new id."""
    while True:
        quote_id = f"sub-{secrets.token_hex(3)}"
        cur = await db.execute(
            "INSERT OR IGNORE INTO quotes (id, text, speaker, source_id, locator, kind, tags, "
            "note, status, origin, guild_id, submitted_by, author_id, message_link) "
            "VALUES (?, ?, ?, ?, ?, 'submission', ?, ?, 'pending', ?, ?, ?, ?, ?)",
            (
                quote_id,
                submission.text,
                submission.speaker,
                submission.source_id,
                submission.locator,
                ",".join(submission.tags),
                submission.note,
                submission.origin,
                submission.guild_id,
                submission.submitted_by,
                submission.author_id,
                submission.message_link,
            ),
        )
        if cur.rowcount:  # the primary key refused a (rare) clash: draw another id
            await db.commit()
            return quote_id


async def forget_user_submissions(db: aiosqlite.Connection, user_id: int) -> int:
    """Delete pending submissions by or of ``user_id``; returns how many were removed."""
    cur = await db.execute(
        "DELETE FROM quotes WHERE status = 'pending' AND (submitted_by = ? OR author_id = ?)",
        (user_id, user_id),
    )
    await db.commit()
    return cur.rowcount
