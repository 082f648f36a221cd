"""The review queue's buttons (persistent across restarts) and the quote modals.

Review buttons are one :class:`discord.ui.DynamicItem` whose custom id carries the action
and the quote id (``herbot:quote:approve:sub-1a2b3c``), registered with
``bot.add_dynamic_items`` in ``cog_load``: a review message posted before a restart keeps
working after it. The review message is always re-rendered from the database, so a
second moderator sees what the first one decided.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord

from bot.checks import ensure_moderator
from bot.errors import UserError, guarded, report
from bot.presentation import EMBED_TOTAL_LIMIT, truncate
from cogs.quotes import store
from cogs.quotes.citation import citation
from cogs.quotes.config import QuotesConfig
from cogs.quotes.embeds import STATUS_COLOURS, colour_for
from cogs.quotes.store import StoredQuote, Submission

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

REVIEW_BATCH = 3  # submissions per review message (embeds share a 6,000-character budget)
_ID_IN_FOOTER = re.compile(r"^id: ([a-z0-9-]+)")
_VERB = {"approved": "✅ Approved", "rejected": "🚫 Rejected", "removed": "🗑️ Removed"}


_BUTTONS = {
    "approve": ("Approve", discord.ButtonStyle.success),
    "reject": ("Reject", discord.ButtonStyle.danger),
    "edit": ("Edit", discord.ButtonStyle.secondary),
}


def _bot(interaction: discord.Interaction) -> Herbot:
    return interaction.client  # type: ignore[return-value]


def review_embed(q: StoredQuote, text_limit: int) -> discord.Embed:
    embed = discord.Embed(
        description=truncate(q.text, text_limit),
        colour=STATUS_COLOURS.get(q.status, colour_for(q)),
    )
    embed.add_field(name="Citation", value=truncate(citation(q), 1024), inline=False)
    who = []
    if q.submitted_by:
        who.append(f"submitted by <@{q.submitted_by}>")
    if q.author_id:
        who.append(f"words of <@{q.author_id}>")
    if who:
        embed.add_field(name="From", value=", ".join(who), inline=False)
    if q.status != "pending":
        reviewer = f" by <@{q.reviewed_by}>" if q.reviewed_by else ""
        embed.add_field(name="Decision", value=f"{_VERB.get(q.status, q.status)}{reviewer}")
    embed.set_footer(text=f"id: {q.id} · {q.origin}")
    return embed


async def render_review(
    bot: Herbot, guild_id: int, quote_ids: list[str]
) -> tuple[str, list[discord.Embed], discord.ui.View]:
    """The review message for these ids, as the database has them now."""
    quotes = [
        q for qid in quote_ids if (q := await store.get(bot.db, qid, guild_id, any_status=True))
    ]
    # The texts share what the citations, fields and footers leave of the 6,000 characters.
    rest = sum(len(review_embed(q, 1)) - 1 for q in quotes)
    budget = (EMBED_TOTAL_LIMIT - rest) // max(len(quotes), 1)
    embeds = [review_embed(q, max(1, min(budget, 4096))) for q in quotes]
    view = discord.ui.View(timeout=None)
    for row, q in enumerate(quotes):
        if q.status == "pending":
            for action in ("approve", "reject", "edit"):
                view.add_item(ReviewButton(action, q.id, row=row))
    left = await store.count_pending(bot.db, guild_id)
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
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"herbot:quote:(?P<action>approve|reject|edit):(?P<id>[a-z0-9-]{1,64})",
):
    def __init__(self, action: str, quote_id: str, *, row: int | None = None) -> None:
        label, style = _BUTTONS[action]
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                custom_id=f"herbot:quote:{action}:{quote_id}",
                row=row,
            )
        )
        self.action = action
        self.quote_id = quote_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ReviewButton:
        return cls(match["action"], match["id"], row=item.row)

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, self._checked_act(interaction), f"quote review {self.action}")

    async def _checked_act(self, interaction: discord.Interaction) -> None:
        await ensure_moderator(interaction)
        await self._act(interaction)

    async def _act(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        if self.action == "edit":
            q = await store.get(bot.db, self.quote_id, guild_id, any_status=True)
            if q is None or q.status != "pending":
                raise UserError(f"`{self.quote_id}` was already reviewed.")
            await interaction.response.send_modal(
                EditModal(q, QuotesConfig.from_settings(bot.settings).max_text_length)
            )
            return
        decide = store.approve if self.action == "approve" else store.reject
        done = await decide(bot.db, self.quote_id, guild_id, interaction.user.id)
        content, embeds, view = await render_review(bot, guild_id, ids_in(interaction.message))
        if done:
            await interaction.response.edit_message(content=content, embeds=embeds, view=view)
            log.info("%s %s by %s", self.action, self.quote_id, interaction.user.id)
            return
        # Someone else was faster: show the real state and say so.
        q = await store.get(bot.db, self.quote_id, guild_id, any_status=True)
        state = q.status if q else "deleted"
        await interaction.response.send_message(
            f"`{self.quote_id}` was already reviewed ({state}).", ephemeral=True
        )
        if interaction.message is not None:
            await interaction.message.edit(content=content, embeds=embeds, view=view)


class _QuoteModal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report(interaction, error, f"modal {self.title}")


class SubmitModal(_QuoteModal, title="Submit a quote"):
    """Members propose a quote; it waits in the review queue."""

    def __init__(self, source_id: str, source_title: str, max_text: int) -> None:
        super().__init__(timeout=None)
        self.source_id = source_id
        self.text = discord.ui.TextInput(
            label="Quote (exact words)",
            style=discord.TextStyle.paragraph,
            max_length=max_text,
            custom_id="text",
        )
        self.speaker = discord.ui.TextInput(
            label="Who said or wrote it", max_length=100, custom_id="speaker"
        )
        self.locator = discord.ui.TextInput(
            label=truncate(f"Where in {source_title}", 45),
            placeholder="scene or moment, ¶ number, timestamp or link",
            required=False,
            max_length=200,
            custom_id="locator",
        )
        self.tags = discord.ui.TextInput(
            label="Tags (optional, comma-separated)",
            required=False,
            max_length=200,
            custom_id="tags",
        )
        for item in (self.text, self.speaker, self.locator, self.tags):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        assert interaction.guild is not None
        text, speaker = self.text.value.strip(), self.speaker.value.strip()
        if not text or not speaker:
            raise UserError("A quote needs its words and who said them; nothing was saved.")
        qid = await store.submit_pending(
            bot.db,
            Submission(
                text=text,
                speaker=speaker,
                guild_id=interaction.guild.id,
                submitted_by=interaction.user.id,
                source_id=self.source_id,
                locator=self.locator.value.strip(),
                tags=tuple(_tags(self.tags.value)),
            ),
        )
        await interaction.response.send_message(
            f"Thanks! Your quote is waiting for a moderator as `{qid}`.", ephemeral=True
        )


class EditModal(_QuoteModal, title="Edit quote"):
    """A moderator's edit, prefilled; opened by /quote edit or a review's Edit button."""

    def __init__(self, q: StoredQuote, max_text: int) -> None:
        super().__init__(title=truncate(f"Edit quote {q.id}", 45), timeout=None)
        self.quote_id = q.id
        self.text = discord.ui.TextInput(
            label="Quote",
            style=discord.TextStyle.paragraph,
            default=q.text[: max(max_text, len(q.text))],
            max_length=max(max_text, len(q.text)),
            custom_id="text",
        )
        self.speaker = discord.ui.TextInput(
            label="Speaker", default=q.speaker, max_length=100, custom_id="speaker"
        )
        self.locator = discord.ui.TextInput(
            label="Locator",
            default=q.locator,
            required=False,
            max_length=200,
            custom_id="locator",
        )
        self.tags = discord.ui.TextInput(
            label="Tags (comma-separated)",
            default=", ".join(q.tags),
            required=False,
            max_length=200,
            custom_id="tags",
        )
        for item in (self.text, self.speaker, self.locator, self.tags):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await ensure_moderator(interaction)
        bot = _bot(interaction)
        assert interaction.guild is not None
        text, speaker = self.text.value.strip(), self.speaker.value.strip()
        if not text or not speaker:
            raise UserError("A quote needs its words and a speaker; nothing was changed.")
        changed = await store.edit(
            bot.db,
            self.quote_id,
            interaction.guild.id,
            interaction.user.id,
            text=text,
            speaker=speaker,
            locator=self.locator.value,
            tags=_tags(self.tags.value),
        )
        if not changed:
            raise UserError(f"`{self.quote_id}` can't be edited any more (removed or reviewed).")
        review_ids = ids_in(interaction.message)
        if self.quote_id in review_ids:  # opened from a review message: refresh it
            content, embeds, view = await render_review(bot, interaction.guild.id, review_ids)
            await interaction.response.edit_message(content=content, embeds=embeds, view=view)
            return
        from cogs.quotes.embeds import quote_embed

        q = await store.get(bot.db, self.quote_id, interaction.guild.id, any_status=True)
        assert q is not None
        await interaction.response.send_message(
            f"Edited `{q.id}`.", embed=quote_embed(q), ephemeral=True
        )


def _tags(value: str) -> list[str]:
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
