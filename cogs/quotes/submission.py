"""The one way a member's action puts a quote in the review queue, refusals in words.

"Save as quote", the submit form and the form filled from a message link all end here: the
submission is written in one transaction (the store asks the privacy ledger inside it, so an
opt-out or a forget committed a moment ago, in any process, holds), and what the store
refuses becomes the sentence the member reads, after the rollback. No discord here: the cogs
turn a message or a form into a :class:`~cogs.quotes.review_store.Submission`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import privacy
from bot.errors import UserError
from cogs.quotes import review_store
from cogs.quotes.review_store import AlreadySaved, Submission

if TYPE_CHECKING:
    from bot.db import Database, Reader

ALREADY_SAVED = "That message is already saved as `{quote_id}` (pending or approved)."


def opted_out(speaker: str, verb: str = "quoted") -> str:
    """The refusal for an author who opted out of quotes (``verb``: what can't be done)."""
    return f"{speaker} has opted out of being quoted, so their messages can't be {verb}."


NO_TEXT = "That message has no text to quote (only attachments or embeds)."


async def refuse_unquotable(
    db: Reader,
    *,
    from_bot: bool,
    text: str,
    author_id: int,
    speaker: str,
    verb: str,
    blank: str | None = None,
) -> None:
    """Refuse, before a form opens or anything is written, a message that can never be a
    member's quote: a bot's or webhook's, one without text, one whose author opted out.

    ``verb`` says what the member tried: "saved" (*Save as quote*) or "quoted" (the form);
    ``blank`` replaces the no-text refusal where the words were withheld, not absent.
    """
    if from_bot:
        what = "saved as quotes" if verb == "saved" else verb
        raise UserError(f"Messages from bots and webhooks can't be {what}.")
    if not text:
        raise UserError(blank or NO_TEXT)
    if await privacy.is_opted_out(db, author_id, "quote"):
        raise UserError(opted_out(speaker, verb))


async def queue_for_review(
    db: Database, submission: Submission, *, author: str | None = None, refusal: str | None = None
) -> str:
    """Write ``submission`` to the pending queue in its own transaction; its new id.

    Raises :class:`~bot.errors.UserError` (nothing written) when the message is already
    pending or approved, or its author (named ``author``, else the submission's speaker)
    opted out (``refusal``, else :func:`opted_out`) or was forgotten after writing it.
    """
    name = author or submission.speaker
    try:
        async with db.transaction() as tx:
            return await review_store.submit_pending(tx, submission)
    except AlreadySaved as exc:
        raise UserError(ALREADY_SAVED.format(quote_id=exc.quote_id)) from None
    except privacy.Withheld as exc:
        if exc.opted_out:
            raise UserError(refusal or opted_out(name)) from None
        raise UserError(privacy.FORGOTTEN_REFUSAL.format(name=name)) from None
