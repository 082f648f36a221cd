"""How quotes look in Discord, the review queue's buttons and the quote modals.

Builders only: embeds and views are built from :class:`~cogs.quotes.quote.StoredQuote`s the
cog read; nothing here reads or writes the database, and nothing imports the cog. A click or
a submitted modal is handed to the ``Quotes`` cog through :class:`QuoteActions`: the cog is
the handler it registers for the buttons when it loads (:mod:`bot.components`) and is given
to each modal it opens (so this module and the cog never import each other).

Review buttons are one :class:`bot.components.Persistent` whose custom id carries the action
and the quote id (``herbot:quote:approve:sub-1a2b3c``): a review message posted before a
restart keeps working after it. The review message is always re-rendered from the
database, so a second moderator sees what the first one decided.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, Self

import discord

from bot import cards
from bot.components import Field, Persistent
from bot.errors import UserError, report
from bot.names import named
from bot.presentation import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FOOTER_LIMIT,
    EMBED_TOTAL_LIMIT,
    MESSAGE_LIMIT,
    truncate,
)
from cogs.quotes.citation import citation, plain
from cogs.quotes.quote import StoredQuote

REVIEW_BATCH = 3  # submissions per review message (embeds share a 6,000-character budget)
_ID_IN_FOOTER = re.compile(r"^id: ([a-z0-9-]+)")
_VERB = {"approved": "✅ Approved", "rejected": "🚫 Rejected", "removed": "🗑️ Removed"}

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
_BUTTONS = {
    "approve": ("Approve", discord.ButtonStyle.success),
    "reject": ("Reject", discord.ButtonStyle.danger),
    "edit": ("Edit", discord.ButtonStyle.secondary),
}


class QuoteActions(Protocol):
    """What the review and cite buttons and the modals ask of the ``Quotes`` cog."""

    async def cite_click(self, interaction: discord.Interaction, quote_id: str) -> None: ...

    async def import_file(
        self, interaction: discord.Interaction, file: discord.Attachment
    ) -> None: ...

    async def review_click(
        self, interaction: discord.Interaction, action: str, quote_id: str
    ) -> None: ...

    async def submit_quote(
        self,
        interaction: discord.Interaction,
        *,
        source_id: str,
        text: str,
        speaker: str,
        locator: str,
        tags: list[str],
    ) -> None: ...

    async def save_edit(
        self,
        interaction: discord.Interaction,
        quote_id: str,
        *,
        text: str,
        speaker: str,
        locator: str,
        tags: list[str],
    ) -> None: ...


# -- a quote ---------------------------------------------------------------------------------


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


QUOTE_CARD_TEXT_LIMIT = 2500  # the words; the citation, note and id always fit beside them
NOTE_LIMIT = 600


def quote_card(q: StoredQuote, *, heading: str | None = None) -> discord.ui.LayoutView:
    """The quote as a Components V2 card: its words as a block quote, then the citation,
    a separator, the id and tags, and a **Cite** button (copyable text, for the clicker)."""

    def build(scale: float) -> discord.ui.LayoutView:
        words = truncate(q.text, int(QUOTE_CARD_TEXT_LIMIT * scale))
        quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in words.splitlines())
        parts: list[discord.ui.Item[discord.ui.LayoutView]] = (
            [cards.text(f"### {heading}")] if heading else []
        )
        parts.append(cards.text(quoted))
        parts.append(cards.text(f"— {truncate(citation(q), 1000)}"))
        if q.note:
            parts.append(cards.text(f"-# Curator note: {truncate(q.note, NOTE_LIMIT)}"))
        parts.append(cards.separator())
        tags = f" · {', '.join(q.tags)}" if q.tags else ""
        parts.append(cards.text(truncate(f"-# `{q.id}`{tags}", 300)))
        return cards.card(*parts, colour=colour_for(q), buttons=[CiteButton(q.id)])

    return cards.fitted(build)


class CiteButton(
    Persistent[discord.ui.Button, QuoteActions],
    id="herbot:quote:cite:{quote_id}",
    quote_id=Field(r"[a-z0-9-]{1,80}"),
    what="Cite button",
):
    """ "Cite" on a quote card or an /ask answer: the quote as copyable text, for the clicker
    only. Survives restarts: the custom id holds the quote id."""

    def __init__(self, quote_id: str) -> None:
        self.quote_id = quote_id
        super().__init__(discord.ui.Button(label="Cite", style=discord.ButtonStyle.secondary))

    async def handle(self, handler: QuoteActions, interaction: discord.Interaction) -> None:
        await handler.cite_click(interaction, self.quote_id)


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


# -- the review queue --------------------------------------------------------------------------


def review_embed(
    q: StoredQuote, text_limit: int, names: dict[int, str] | None = None
) -> discord.Embed:
    """One pending (or just decided) quote; ``names``: members' display names by id, shown
    beside their mentions (``bot.names``)."""
    names = names or {}
    embed = discord.Embed(
        description=truncate(q.text, text_limit),
        colour=STATUS_COLOURS.get(q.status, colour_for(q)),
    )
    embed.add_field(name="Citation", value=truncate(citation(q), 1024), inline=False)
    who = []
    if q.submitted_by:
        who.append(f"submitted by {named(q.submitted_by, names)}")
    if q.author_id:
        who.append(f"words of {named(q.author_id, names)}")
    if who:
        embed.add_field(name="From", value=", ".join(who), inline=False)
    if q.status != "pending":
        reviewer = f" by {named(q.reviewed_by, names)}" if q.reviewed_by else ""
        embed.add_field(name="Decision", value=f"{_VERB.get(q.status, q.status)}{reviewer}")
    embed.set_footer(text=f"id: {q.id} · {q.origin}")
    return embed


def review_message(
    quotes: list[StoredQuote], left: int, names: dict[int, str] | None = None
) -> tuple[str, list[discord.Embed], discord.ui.View]:
    """The review message for these quotes (as the database has them now), ``left`` pending."""
    # The texts share what the citations, fields and footers leave of the 6,000 characters.
    rest = sum(len(review_embed(q, 1, names)) - 1 for q in quotes)
    budget = (EMBED_TOTAL_LIMIT - rest) // max(len(quotes), 1)
    embeds = [review_embed(q, max(1, min(budget, 4096)), names) for q in quotes]
    view = discord.ui.View(timeout=None)
    for row, q in enumerate(quotes):
        if q.status == "pending":
            for action in ("approve", "reject", "edit"):
                view.add_item(ReviewButton(action, q.id, row=row))
    content = (
        f"**Quote review** — {left} pending in this server. "
        "Approve, reject or edit each; `/quote review` shows the next ones."
    )
    return content, embeds, view


def ids_in(message: discord.Message | None) -> list[str]:
    """The quote ids a review message shows (from its embed footers)."""
    if message is None:
        return []
    found = []
    for embed in message.embeds:
        match = _ID_IN_FOOTER.match(embed.footer.text or "")
        if match:
            found.append(match.group(1))
    return found


class ReviewButton(
    Persistent[discord.ui.Button, QuoteActions],
    id="herbot:quote:{action}:{quote_id}",
    action=Field("approve|reject|edit"),
    quote_id=Field(r"[a-z0-9-]{1,64}"),
    what="quote review {action}",
):
    def __init__(self, action: str, quote_id: str, *, row: int | None = None) -> None:
        self.action = action
        self.quote_id = quote_id
        label, style = _BUTTONS[action]
        super().__init__(discord.ui.Button(label=label, style=style, row=row))

    @classmethod
    def rebuild(cls, item: discord.ui.Item[Any], **fields: Any) -> Self:
        return cls(**fields, row=item.row)

    async def handle(self, handler: QuoteActions, interaction: discord.Interaction) -> None:
        await handler.review_click(interaction, self.action, self.quote_id)


# -- modals ----------------------------------------------------------------------------------


class _QuoteModal(discord.ui.Modal):
    # discord.py's Modal.on_error drops BaseView's `item`; mypy checks against both
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report(interaction, error, f"modal {self.title}")


SELECT_OPTIONS_MAX = 25
TAG_CHOICES_MAX = 10  # a checkbox group holds at most 10


def tag_checkboxes(tags: list[str]) -> discord.ui.CheckboxGroup | None:
    """A submission form's optional tags (the first ten), or None when there are none."""
    if not tags:
        return None
    shown = tags[:TAG_CHOICES_MAX]
    return discord.ui.CheckboxGroup(
        custom_id="tags",
        required=False,
        min_values=0,
        max_values=len(shown),
        options=[discord.CheckboxGroupOption(label=t, value=t) for t in shown],
    )


def chosen_tags(group: discord.ui.CheckboxGroup | None) -> list[str]:
    """What the member ticked in :func:`tag_checkboxes`' group, tidied."""
    return tidy_tags(", ".join(group.values)) if group is not None else []


class SubmitModal(_QuoteModal, title="Submit a quote"):
    """Members propose a quote; it waits in the review queue.

    The source is picked from a select (preselected: this server, or the command's
    ``source``) and the tags from checkboxes of the tags in use, so nothing needs typing
    but the words, who said them and where.
    """

    def __init__(
        self,
        actions: QuoteActions,
        sources: list[tuple[str, str]],
        chosen: str,
        tags: list[str],
        max_text: int,
    ) -> None:
        super().__init__(timeout=None)
        self.actions = actions
        self.chosen = chosen
        self.text: discord.ui.TextInput = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=max_text, custom_id="text"
        )
        self.speaker: discord.ui.TextInput = discord.ui.TextInput(
            max_length=100, custom_id="speaker"
        )
        self.source: discord.ui.Select = discord.ui.Select(
            custom_id="source",
            required=False,  # left as it is, the preselected source counts
            options=[
                discord.SelectOption(
                    label=truncate(title, 100), value=source_id, default=source_id == chosen
                )
                for source_id, title in source_options(sources, chosen)
            ],
        )
        self.locator: discord.ui.TextInput = discord.ui.TextInput(
            placeholder="scene or moment, ¶ number, timestamp or link",
            required=False,
            max_length=200,
            custom_id="locator",
        )
        self.add_item(discord.ui.Label(text="Quote (exact words)", component=self.text))
        self.add_item(discord.ui.Label(text="Who said or wrote it", component=self.speaker))
        self.add_item(discord.ui.Label(text="From", component=self.source))
        self.add_item(discord.ui.Label(text="Where in it (optional)", component=self.locator))
        self.tags = tag_checkboxes(tags)
        if self.tags is not None:
            self.add_item(
                discord.ui.Label(
                    text="Tags (optional)",
                    description="A moderator can add others when reviewing",
                    component=self.tags,
                )
            )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text, speaker = self.text.value.strip(), self.speaker.value.strip()
        if not text or not speaker:
            raise UserError("A quote needs its words and who said them; nothing was saved.")
        await self.actions.submit_quote(
            interaction,
            source_id=self.source.values[0] if self.source.values else self.chosen,
            text=text,
            speaker=speaker,
            locator=self.locator.value.strip(),
            tags=chosen_tags(self.tags),
        )


def source_options(sources: list[tuple[str, str]], chosen: str) -> list[tuple[str, str]]:
    """At most 25 ``(id, title)`` for the select, always including the preselected one."""
    picked = [s for s in sources if s[0] == chosen][:1]
    rest = [s for s in sources if s[0] != chosen]
    labelled = [
        (sid, "This server (a Discord discussion)" if sid == "discord" else title)
        for sid, title in picked + rest
    ]
    return labelled[:SELECT_OPTIONS_MAX]


class ImportModal(_QuoteModal, title="Import quotes"):
    """/quote import without a file option: the file is uploaded in the form instead."""

    def __init__(self, actions: QuoteActions) -> None:
        super().__init__(timeout=None)
        self.actions = actions
        self.add_item(
            discord.ui.TextDisplay(
                "A JSON file made by `/quote export`, up to 5 MB. The whole file is checked "
                "first: if anything is wrong, nothing is imported and the problems are listed."
            )
        )
        self.file: discord.ui.FileUpload = discord.ui.FileUpload(
            custom_id="file", min_values=1, max_values=1
        )
        self.add_item(discord.ui.Label(text="File", component=self.file))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if not self.file.values:
            raise UserError("No file was uploaded; nothing was imported.")
        await self.actions.import_file(interaction, self.file.values[0])


class EditModal(_QuoteModal, title="Edit quote"):
    """A moderator's edit, prefilled; opened by /quote edit or a review's Edit button."""

    def __init__(self, actions: QuoteActions, q: StoredQuote, max_text: int) -> None:
        super().__init__(title=truncate(f"Edit quote {q.id}", 45), timeout=None)
        self.actions = actions
        self.quote_id = q.id
        self.text: discord.ui.TextInput = discord.ui.TextInput(
            label="Quote",
            style=discord.TextStyle.paragraph,
            default=q.text[: max(max_text, len(q.text))],
            max_length=max(max_text, len(q.text)),
            custom_id="text",
        )
        self.speaker: discord.ui.TextInput = discord.ui.TextInput(
            label="Speaker", default=q.speaker, max_length=100, custom_id="speaker"
        )
        self.locator: discord.ui.TextInput = discord.ui.TextInput(
            label="Locator",
            default=q.locator,
            required=False,
            max_length=200,
            custom_id="locator",
        )
        self.tags: discord.ui.TextInput = discord.ui.TextInput(
            label="Tags (comma-separated)",
            default=", ".join(q.tags),
            required=False,
            max_length=200,
            custom_id="tags",
        )
        for item in (self.text, self.speaker, self.locator, self.tags):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.actions.save_edit(
            interaction,
            self.quote_id,
            text=self.text.value.strip(),
            speaker=self.speaker.value.strip(),
            locator=self.locator.value,
            tags=tidy_tags(self.tags.value),
        )


def tidy_tags(value: str) -> list[str]:
    """Tags as curated tags are written ("Sci-Fi!" -> "sci-fi"), so a JSON export imports.

    Never refused: a member's typed quote is not thrown away over a tag. A tag with no
    a-z or 0-9 in it is dropped.
    """
    tags = []
    for raw in value.split(","):
        tag = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")[:40].strip("-")
        if tag:
            tags.append(tag)
    return tags
