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

Pure domain: no discord, no SQL. The cog (:mod:`cogs.quotes.nominations_cog`) reads the
reactions; :mod:`cogs.quotes.nominations_store` holds the rows and the settings' writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

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


def rule_from(values: Mapping[str, object]) -> NominationRule | None:
    """The server's rule from its settings, or None when nominations are off (no emoji)."""
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


def qualifying(reactors: list[tuple[int, bool]], author_id: int) -> int:
    """How many reactions count: ``reactors`` are (user id, is a bot) of one emoji."""
    return len({uid for uid, bot in reactors if not bot and uid != author_id})


@dataclass(frozen=True, slots=True)
class Nomination:
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    nominated_by: int | None
    reactions: int
    written_at: datetime | None = None  # the message's time (None: before any forget)


@dataclass(frozen=True, slots=True)
class Summary:
    queued: int = 0
    approved: int = 0
    rejected: int = 0
    pending: int = 0
