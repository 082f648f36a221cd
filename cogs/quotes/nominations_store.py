"""Nominations by reaction: the ``quote_nominations`` rows and the server's nomination settings.

One row per message that reached the threshold, keyed by ``(guild_id, message_id)``: the
row is inserted in the transaction that queues the quote, so concurrent reactions race for
one key and exactly one queues it (:mod:`cogs.quotes.nominations` says what counts). Writers
take the :class:`~bot.db.Transaction` they run in and never commit.
"""

from __future__ import annotations

from typing import Literal

from bot import guild_settings, privacy
from bot.db import Reader, Transaction
from cogs.quotes.nominations import (
    CHANNELS_KEY,
    EMOJI_KEY,
    THRESHOLD_KEY,
    Nomination,
    NominationRule,
    Outcome,
    Summary,
    rule_from,
)


async def rule_for(db: Reader, guild_id: int) -> NominationRule | None:
    """The server's rule, or None when nominations are off (no emoji chosen)."""
    return rule_from(await guild_settings.get_all(db, guild_id))


async def configure(
    tx: Transaction,
    guild_id: int,
    *,
    emoji: str | None = None,
    threshold: int | None = None,
    channel_ids: list[int] | Literal["keep"] | None = "keep",
    off: bool = False,
) -> None:
    """Change the server's nomination settings (each change reaches the caches through
    bot/cache_sync.py once committed).

    Raises ValueError (with the setting's readable reason) for a bad emoji or too many
    channels; the caller's transaction then rolls back, so nothing changes.
    """
    if off:
        await guild_settings.clear(tx, guild_id, EMOJI_KEY)
        return
    if emoji is not None:
        await guild_settings.set_value(tx, guild_id, EMOJI_KEY, emoji)
    if threshold is not None:
        await guild_settings.set_value(tx, guild_id, THRESHOLD_KEY, str(threshold))
    if channel_ids != "keep":
        if channel_ids is None:
            await guild_settings.clear(tx, guild_id, CHANNELS_KEY)
        else:
            await guild_settings.set_value(
                tx, guild_id, CHANNELS_KEY, ",".join(str(c) for c in channel_ids)
            )


async def decided(db: Reader, guild_id: int, message_id: int) -> bool:
    """The message was nominated (or found not nominable) before: nothing more to do."""
    found = await db.fetchval(
        "SELECT 1 FROM quote_nominations WHERE guild_id = ? AND message_id = ?",
        (guild_id, message_id),
    )
    return found is not None


async def claim(tx: Transaction, n: Nomination, outcome: Outcome) -> bool:
    """Take the message's one nomination; False if another reaction took it first.

    Raises :class:`bot.privacy.Withheld` (writing nothing) when the author opted out of
    quotes or was forgotten after writing it: the row would name them again.
    """
    await privacy.check_words(tx, "quote", n.author_id, n.written_at)
    cur = await tx.execute(
        "INSERT INTO quote_nominations (guild_id, message_id, channel_id, author_id, "
        "nominated_by, reactions, outcome) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (guild_id, message_id) DO NOTHING",
        (
            n.guild_id,
            n.message_id,
            n.channel_id,
            n.author_id,
            n.nominated_by,
            n.reactions,
            outcome,
        ),
    )
    return cur.rowcount > 0


async def settle(
    tx: Transaction, guild_id: int, message_id: int, outcome: Outcome, quote_id: str | None
) -> None:
    """Record what the claimed nomination became (the quote it queued or found)."""
    await tx.execute(
        "UPDATE quote_nominations SET outcome = ?, quote_id = ? "
        "WHERE guild_id = ? AND message_id = ?",
        (outcome, quote_id, guild_id, message_id),
    )


async def summary(db: Reader, guild_id: int) -> Summary:
    """What nominations brought to this server's review queue, and what moderators decided."""
    rows = await db.fetchall(
        "SELECT q.status, count(*) FROM quote_nominations nom "
        "LEFT JOIN quotes q ON q.id = nom.quote_id "
        "WHERE nom.guild_id = ? AND nom.outcome = 'queued' GROUP BY q.status",
        (guild_id,),
    )
    counts = {r[0]: int(r[1]) for r in rows}
    return Summary(
        queued=sum(counts.values()),
        approved=counts.get("approved", 0),
        rejected=counts.get("rejected", 0),
        pending=counts.get("pending", 0),
    )


async def forget(tx: Transaction, user_id: int) -> tuple[int, int]:
    """(nominations of the member's messages deleted, nominations they triggered anonymised).

    Deleting the rows of their messages goes with forget-me deleting every quote of their
    words. Their messages from before the forget are not nominated again (:func:`claim`
    asks the forget ledger); what they write afterwards can be, unless they opted out.
    """
    words = await tx.execute("DELETE FROM quote_nominations WHERE author_id = ?", (user_id,))
    nominated = await tx.execute(
        "UPDATE quote_nominations SET nominated_by = NULL WHERE nominated_by = ?", (user_id,)
    )
    return words.rowcount, nominated.rowcount


async def member_count(db: Reader, user_id: int) -> int:
    """Nominated messages of the member (any outcome)."""
    n = await db.fetchval("SELECT count(*) FROM quote_nominations WHERE author_id = ?", (user_id,))
    return int(n or 0)
