"""How a quote looks in Discord: an embed with its citation, or a copyable cited text."""

from __future__ import annotations

import discord

from bot.presentation import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FOOTER_LIMIT,
    MESSAGE_LIMIT,
    truncate,
)
from cogs.quotes.citation import citation, plain
from cogs.quotes.store import StoredQuote

COLOURS = {
    "film": discord.Colour.from_rgb(231, 76, 60),  # Her's red
    "article": discord.Colour.from_rgb(52, 152, 219),
    "discord": discord.Colour.blurple(),
}
STATUS_COLOURS = {
    "approved": discord.Colour.green(),
    "rejected": discord.Colour.dark_grey(),
    "removed": discord.Colour.dark_grey(),
}


def colour_for(q: StoredQuote) -> discord.Colour:
    return COLOURS.get(q.source_kind, discord.Colour.light_grey())


def quote_embed(q: StoredQuote, *, text_limit: int = EMBED_DESCRIPTION_LIMIT) -> discord.Embed:
    """The quote as the description, its citation as a field, the id and tags in the footer."""
    embed = discord.Embed(description=truncate(q.text, text_limit), colour=colour_for(q))
    embed.add_field(name="Citation", value=truncate(citation(q), EMBED_FIELD_VALUE_LIMIT))
    if q.note:
        embed.add_field(
            name="Curator note", value=truncate(q.note, EMBED_FIELD_VALUE_LIMIT), inline=False
        )
    footer = q.id + (f" · {', '.join(q.tags)}" if q.tags else "")
    embed.set_footer(text=truncate(footer, EMBED_FOOTER_LIMIT))
    return embed


def cited_text(q: StoredQuote) -> str:
    """``> text`` then ``— citation``: a block members can copy, within 2,000 characters."""
    cite = f"— {citation(q)}  `{q.id}`"
    room = MESSAGE_LIMIT - len(cite) - 1
    # Cut after quoting: every line's "> " counts too, and the citation must stay whole.
    quoted = "\n".join(f"> {line}" if line else ">" for line in q.text.splitlines())
    return truncate(f"{truncate(quoted, max(room, 100))}\n{cite}", MESSAGE_LIMIT)


def choice_label(q: StoredQuote) -> str:
    """An autocomplete choice name: id, speaker and the start of the text (100 chars)."""
    return truncate(" ".join(f"{q.id} · {q.speaker}: {q.text}".split()), 100)


def footer_citation(q: StoredQuote) -> str:
    return truncate(plain(citation(q, links=False)), EMBED_FOOTER_LIMIT)
