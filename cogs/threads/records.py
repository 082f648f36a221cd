"""What a recorded thread is made of, as plain values: no discord, no SQL.

The ``ThreadRecording`` cog turns discord objects into :class:`MessageRecord` values for the
recorder; the stores read rows back into :class:`Recording` values; the exporters and
/transcript read the stored timestamps and attachments with the helpers here. Both rooms
(``recording/`` and ``transcripts/``) use this module; neither reaches into the other's store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from bot.clock import iso

DISCORD_EPOCH_MS = 1420070400000
REASONS = ("manual", "debate", "channel")
EVENT_KINDS = (
    "renamed",
    "archived",
    "unarchived",
    "locked",
    "unlocked",
    "recording_started",
    "recording_stopped",
)


def stamp(moment: datetime) -> str:
    """Fixed-width UTC text, so comparing text compares time (bot/clock.py)."""
    return iso(moment)


MAX_SNOWFLAKE = (1 << 63) - 1


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc_clamped(moment: datetime) -> datetime:
    """``moment`` in UTC (naive means UTC); a moment UTC cannot hold becomes its edge.

    ``0001-01-01T00:00+01:00`` is the last hour of year 0 in UTC, which ``datetime`` cannot
    represent: as a bound of a range it means "from the beginning".
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        edge = datetime.min if moment.year < 2000 else datetime.max
        return edge.replace(tzinfo=UTC)


def snowflake_at(moment: datetime) -> int:
    """The smallest Discord id created at ``moment`` (ids are time-ordered), clamped to the
    ids SQLite can hold (a date after about 2084 gives the largest)."""
    ms = int(utc_clamped(moment).timestamp() * 1000) - DISCORD_EPOCH_MS
    return min(max(ms, 0) << 22, MAX_SNOWFLAKE)


def snowflake_time(snowflake: int) -> datetime:
    """When a Discord id was made (ids are time-ordered)."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def display_time(text: str) -> str:
    """'2026-11-21 11:06 UTC' from a stored stamp."""
    return f"{text[:10]} {text[11:16]} UTC"


def jump_url(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    size: int
    content_type: str | None
    url: str | None = None  # Discord's link (it expires; the HTML shows images from it)

    def as_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "size": self.size,
            "content_type": self.content_type,
            "url": self.url,
        }


# A message's kinds kept besides plain messages and replies (Discord's MessageType names).
MESSAGE_KINDS = ("default", "reply", "poll_result")


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """A message as sent, in plain values."""

    message_id: int
    channel_id: int
    guild_id: int
    author_id: int
    author_name: str
    created_at: datetime
    content: str
    reply_to: int | None = None
    attachments: tuple[Attachment, ...] = ()
    embed_titles: tuple[str, ...] = ()
    redacted: bool = False  # a placeholder: no words (its author opted out of recording)
    # What a message holds beyond its text (plain JSON values; see docs/threads.md):
    kind: str = "default"  # one of MESSAGE_KINDS
    embeds: tuple[dict[str, Any], ...] = ()  # full embeds; embed_titles alone when empty
    forwarded: dict[str, Any] | None = None  # a forward's snapshot with its origin
    poll: dict[str, Any] | None = None  # a native poll, or a poll_result's result
    components: str | None = None  # Components V2 content as text
    stickers: tuple[dict[str, str], ...] = ()  # {"id", "name"}
    # The replied-to message as it was then (kept when the original goes).
    reply_author_id: int | None = None
    reply_author_name: str | None = None
    reply_content: str | None = None
    reactions: tuple[tuple[str, int], ...] = ()  # (emoji, count) it already had when kept

    def placeholder(self) -> MessageRecord:
        """This message as an opted-out member's is kept: no words, no name, no files."""
        return replace(
            self, author_name=REDACTED_NAME, content="", attachments=(), embed_titles=(),
            redacted=True, embeds=(), forwarded=None, poll=None, components=None,
            stickers=(), reply_author_id=None, reply_author_name=None, reply_content=None,
            reactions=(),
        )  # fmt: skip

    def embed_objects(self) -> list[dict[str, Any]]:
        return list(self.embeds) or [{"title": t} for t in self.embed_titles]

    def message_row(self) -> tuple[object, ...]:
        return (
            self.message_id,
            self.channel_id,
            self.guild_id,
            self.author_id,
            self.author_name,
            stamp(self.created_at),
            self.reply_to,
            json.dumps([a.as_json() for a in self.attachments]),
            json.dumps(self.embed_objects()),
            int(self.redacted),
            self.kind,
            None if self.forwarded is None else json.dumps(self.forwarded),
            None if self.poll is None else json.dumps(self.poll),
            self.components,
            json.dumps(list(self.stickers)),
            self.reply_author_id,
            self.reply_author_name,
            self.reply_content,
        )


@dataclass(frozen=True, slots=True)
class Recording:
    channel_id: int
    guild_id: int
    parent_id: int | None
    name: str
    reason: str
    started_by: int | None
    started_at: str
    stopped_at: str | None
    keep_unarchived: bool
    save_attachments: bool | None = None  # None: the server's setting decides

    @property
    def active(self) -> bool:
        return self.stopped_at is None


REDACTED_NAME = "a member who opted out"  # an opted-out member's placeholder


def attachments_of(raw: str) -> list[Attachment]:
    return [
        Attachment(a["filename"], a["size"], a.get("content_type"), a.get("url"))
        for a in json.loads(raw)
    ]


def embeds_of(raw: str) -> list[dict[str, Any]]:
    """Stored embeds: full objects, or (kept before herbot.transcript/2) titles alone."""
    return [e if isinstance(e, dict) else {"title": e} for e in json.loads(raw)]


def emoji_label(emoji: str) -> str:
    """``<:name:id>`` reads ``:name:``; a unicode emoji reads as itself."""
    if emoji.startswith("<") and emoji.endswith(">"):
        parts = emoji[1:-1].split(":")
        if len(parts) == 3:
            return f":{parts[1]}:"
    return emoji


def emoji_image(emoji: str) -> str | None:
    """The CDN image of a custom emoji (``<:name:id>``), None for a unicode one."""
    if emoji.startswith("<") and emoji.endswith(">"):
        parts = emoji[1:-1].split(":")
        if len(parts) == 3 and parts[2].isdigit():
            ext = "gif" if parts[0] == "a" else "png"
            return f"https://cdn.discordapp.com/emojis/{parts[2]}.{ext}"
    return None
