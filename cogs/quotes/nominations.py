"""Nominations by reaction: a message that enough members react to joins the review queue.

A server turns it on by choosing an emoji (``quote_nominate_emoji``), a threshold
(``quote_nominate_threshold``, default 5) and optionally the channels it applies to
(``quote_nominate_channel_ids``; unset: every channel), with ``/quote nominations`` or
``/settings set``. What counts: members' reactions with that emoji, except bots' and the
message author's own (self-nomination is not a nomination).

``quote_nominations`` has one row per message that reached the threshold, keyed by
``(guild_id, message_id)``. The row is inserted in the same transaction that queues the
quote, so concurrent reactions race for one key and exactly one queues it. The row stays
after the review: a rejected message is never nominated again, nor one whose author opted
out after it was queued. A message that can never be a quote (a bot's, no text, too long)
gets an ``ignored`` row so it is not fetched again.

No discord here: the cog (:mod:`cogs.quotes.nominations_cog`) reads the reactions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot import guild_settings, privacy
from bot.db import Reader, Transaction

EMOJI_KEY = "quote_nominate_emoji"
THRESHOLD_KEY = "quote_nominate_threshold"
CHANNELS_KEY = "quote_nominate_channel_ids"
KEYS = (EMOJI_KEY, THRESHOLD_KEY, CHANNELS_KEY)
DEFAULT_THRESHOLD = 5

Outcome = Literal["queued", "already_saved", "ignored"]

_CUSTOM = re.compile(r"<a?:[A-Za-z0-9_]+:(\d+)>")
_CHANNEL = re.compile(r"<#(\d{1,20})>|\b(\d{15,20})\b")


def emoji_key(emoji: str) -> str:
    """What two spellings of one emoji share: a custom emoji's id, or the Unicode emoji
    without variation selectors (⭐ and ⭐️ are the same reaction to a member)."""
    custom = _CUSTOM.fullmatch(emoji.strip())
    if custom:
        return custom.group(1)
    return emoji.strip().replace("\ufe0f", "").replace("\ufe0e", "")


@dataclass(frozen=True, slots=True)
class NominationRule:
    """A server's nomination settings, in force."""

    emoji: str
    threshold: int = DEFAULT_THRESHOLD
    channel_ids: frozenset[int] = frozenset()  # empty: every channel

    def is_the_emoji(self, emoji: str) -> bool:
        return emoji_key(emoji) == emoji_key(self.emoji)

    def watches(self, channel_id: int, parent_id: int | None = None) -> bool:
        """A message in this channel (or in a thread of a watched channel) can be nominated."""
        return (
            not self.channel_ids or channel_id in self.channel_ids or parent_id in self.channel_ids
        )

    def describe(self) -> str:
        where = (
            ", ".join(f"<#{c}>" for c in sorted(self.channel_ids))
            if self.channel_ids
            else "every channel"
        )
        return (
            f"A message gets nominated when **{self.threshold}** members react with "
            f"{self.emoji} in {where} (bots' reactions and the author's own don't count)."
        )


async def rule_for(db: Reader, guild_id: int) -> NominationRule | None:
    """The server's rule, or None when nominations are off (no emoji chosen)."""
    values = await guild_settings.get_all(db, guild_id)
    emoji = values.get(EMOJI_KEY)
    if not isinstance(emoji, str):
        return None
    threshold = values.get(THRESHOLD_KEY)
    channels = values.get(CHANNELS_KEY)
    return NominationRule(
        emoji=emoji,
        threshold=threshold if isinstance(threshold, int) else DEFAULT_THRESHOLD,
        channel_ids=frozenset(channels) if isinstance(channels, list) else frozenset(),
    )


def channel_ids_in(text: str) -> list[int] | None:
    """Channel ids from mentions (<#123>) or plain ids; None for "all" (every channel).

    Raises ValueError when ``text`` names no channel at all.
    """
    if text.strip().lower() in ("all", "every", "*", "everywhere"):
        return None
    ids = [int(a or b) for a, b in _CHANNEL.findall(text)]
    if not ids:
        raise ValueError("name channels by mentioning them (#general #films), or say `all`")
    return list(dict.fromkeys(ids))


async def configure(
    tx: Transaction,
    guild_id: int,
    *,
    emoji: str | None = None,
    threshold: int | None = None,
    channel_ids: list[int] | Literal["keep"] | None = "keep",
    off: bool = False,
) -> list[str]:
    """Change the server's nomination settings; returns the keys that changed.

    Raises ValueError (with the setting's readable reason) for a bad emoji or too many
    channels; the caller's transaction then rolls back, so nothing changes.
    """
    changed: list[str] = []
    if off:
        if await guild_settings.clear(tx, guild_id, EMOJI_KEY):
            changed.append(EMOJI_KEY)
        return changed
    if emoji is not None:
        await guild_settings.set_value(tx, guild_id, EMOJI_KEY, emoji)
        changed.append(EMOJI_KEY)
    if threshold is not None:
        await guild_settings.set_value(tx, guild_id, THRESHOLD_KEY, str(threshold))
        changed.append(THRESHOLD_KEY)
    if channel_ids != "keep":
        if channel_ids is None:
            await guild_settings.clear(tx, guild_id, CHANNELS_KEY)
        else:
            await guild_settings.set_value(
                tx, guild_id, CHANNELS_KEY, ",".join(str(c) for c in channel_ids)
            )
        changed.append(CHANNELS_KEY)
    return changed


def qualifying(reactors: list[tuple[int, bool]], author_id: int) -> int:
    """How many reactions count: ``reactors`` are (user id, is a bot) of one emoji."""
    return len({uid for uid, bot in reactors if not bot and uid != author_id})


# -- the nomination rows -----------------------------------------------------------------------


async def decided(db: Reader, guild_id: int, message_id: int) -> bool:
    """The message was nominated (or found not nominable) before: nothing more to do."""
    found = await db.fetchval(
        "SELECT 1 FROM quote_nominations WHERE guild_id = ? AND message_id = ?",
        (guild_id, message_id),
    )
    return found is not None


@dataclass(frozen=True, slots=True)
class Nomination:
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    nominated_by: int | None
    reactions: int
    written_at: datetime | None = None  # the message's time (None: before any forget)


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


@dataclass(frozen=True, slots=True)
class Summary:
    queued: int = 0
    approved: int = 0
    rejected: int = 0
    pending: int = 0


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


# -- privacy -----------------------------------------------------------------------------------


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
