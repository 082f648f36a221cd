"""Message links members paste (``/quote submit link:``): parsed, never fetched here.

A link is ``https://discord.com/channels/<guild>/<channel>/<message>`` (also the ptb and
canary hosts and the old discordapp.com); a direct message has ``@me`` for the guild.
Anything else is refused with a sentence saying how to copy a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINK = re.compile(
    r"<?https?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/channels/"
    r"(@me|\d{1,20})/(\d{1,20})/(\d{1,20})/?>?"
)
HOW_TO = "Right-click the message (or long-press it) → **Copy Message Link**, and paste that."


class BadLink(ValueError):
    """Not a link to a message of this server; ``str()`` says why, for the member."""


@dataclass(frozen=True, slots=True)
class MessageRef:
    guild_id: int | None  # None: a direct message
    channel_id: int
    message_id: int


def parse(text: str) -> MessageRef:
    match = _LINK.fullmatch(text.strip())
    if match is None:
        raise BadLink(f"That isn't a message link. {HOW_TO}")
    guild, channel, message = match.groups()
    return MessageRef(None if guild == "@me" else int(guild), int(channel), int(message))


def in_guild(text: str, guild_id: int) -> MessageRef:
    """The link's message, if it is one of this server's; BadLink otherwise."""
    ref = parse(text)
    if ref.guild_id is None:
        raise BadLink(
            "That link is to a direct message; only this server's messages can be quoted."
        )
    if ref.guild_id != guild_id:
        raise BadLink(
            "That link is to a message in another server; only this server's messages can be "
            "quoted here."
        )
    return ref


def locator(channel_name: str | None, day: str) -> str:
    """Where a quoted message is: ``#general, 2026-01-01`` (as "Save as quote" writes it)."""
    return f"#{channel_name or 'a channel'}, {day}"
