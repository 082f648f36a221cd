"""Quoting a message by its link or from its menu: the form comes filled in.

``/quote submit link:`` (the ``Quotes`` cog hands the link here) and the message menu
"Quote this message" both open :class:`~cogs.quotes.link_ui.LinkedSubmitModal` with the
message's words, author and link. The submitted quote waits for review like "Save as quote"
(origin ``message``, the author's id and the jump link kept), so the one-quote-per-message
key and the author's opt-out apply the same.

A link is only followed into this server, and only into a channel both the member and the
bot can read: a member cannot quote (and so read) a message from a channel hidden from them.
Every refusal is a private sentence saying what to do.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import NotInServer, served_guild_id
from bot.errors import UserError
from cogs.quotes import message_link, quote_store, review_store, submission
from cogs.quotes.config import QuotesConfig
from cogs.quotes.link_ui import COG_NAME, Draft, LinkedSubmitModal
from cogs.quotes.message_link import BadLink
from cogs.quotes.review_store import Submission

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

CANT_READ = (
    "I can't read that message: it is in a channel that you or I can't see, or it was "
    "deleted. Link a message from a channel we can both read."
)

# Without the Message Content intent, Discord blanks a message read over REST (a link); the
# message menu's interaction carries the words.
NO_CONTENT_OVER_A_LINK = (
    "I can't read the words of a linked message here: herbot runs without Discord's Message "
    "Content intent. Open that message's menu instead: Apps → Quote this message."
)


class QuoteLinks(commands.Cog, name=COG_NAME):
    def __init__(self, bot: Herbot) -> None:
        self.bot = bot
        self.config = QuotesConfig.from_settings(bot.settings)
        self.menu = app_commands.ContextMenu(
            name="Quote this message", callback=self.quote_this_message
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.guild_only()
    async def quote_this_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Message menu: the submit form, filled from this message."""
        await self.open_form(interaction, message)

    async def open_from_link(self, interaction: discord.Interaction, link: str) -> None:
        """``/quote submit link:``: follow the link, then open the filled form."""
        guild = interaction.guild
        if guild is None or served_guild_id(interaction) is None:
            raise NotInServer()
        try:
            ref = message_link.in_guild(link, guild.id)
        except BadLink as exc:
            raise UserError(str(exc)) from None
        message = await self._readable(interaction, guild, ref)
        await self.open_form(interaction, message, linked=True)

    async def _readable(
        self, interaction: discord.Interaction, guild: discord.Guild, ref: message_link.MessageRef
    ) -> discord.Message:
        channel = guild.get_channel_or_thread(ref.channel_id)
        if channel is None:
            try:  # a thread the cache does not hold (archived, or never seen)
                fetched = await guild.fetch_channel(ref.channel_id)
            except discord.HTTPException:
                raise UserError(CANT_READ) from None
            channel = fetched if isinstance(fetched, discord.Thread) else None
        if not isinstance(channel, discord.abc.Messageable) or not isinstance(
            channel, discord.abc.GuildChannel | discord.Thread
        ):
            raise UserError(CANT_READ)
        member = interaction.user
        for who in (member, guild.me):
            if not isinstance(who, discord.Member):
                raise UserError(CANT_READ)
            allowed = channel.permissions_for(who)
            if not (allowed.view_channel and allowed.read_message_history):
                raise UserError(CANT_READ)
        try:
            return await channel.fetch_message(ref.message_id)
        except discord.HTTPException:
            raise UserError(CANT_READ) from None

    async def quotable_text(
        self, message: discord.Message, *, verb: str, blank: str | None = None
    ) -> str:
        """``message``'s words, once :func:`submission.refuse_unquotable` let them be quoted
        (``verb``: "saved" for *Save as quote*, "quoted" for the form)."""
        author = message.author
        text = message.content.strip()
        await submission.refuse_unquotable(
            self.bot.db,
            from_bot=author.bot or message.webhook_id is not None,
            text=text,
            author_id=author.id,
            speaker=author.display_name,
            verb=verb,
            blank=blank,
        )
        return text

    async def open_form(
        self, interaction: discord.Interaction, message: discord.Message, *, linked: bool = False
    ) -> None:
        guild_id = served_guild_id(interaction)
        if guild_id is None:
            raise NotInServer()
        author = message.author
        withheld = linked and not self.bot.intents.message_content
        text = await self.quotable_text(
            message, verb="quoted", blank=NO_CONTENT_OVER_A_LINK if withheld else None
        )
        saved = await review_store.saved_message(self.bot.db, guild_id, message.jump_url)
        if saved is not None:
            raise UserError(submission.ALREADY_SAVED.format(quote_id=saved))
        limit = self.config.max_text_length
        draft = Draft(
            text=text[:limit],
            speaker=author.display_name,
            locator=message_link.locator(
                getattr(message.channel, "name", None), f"{message.created_at:%Y-%m-%d}"
            ),
            author_id=author.id,
            message_link=message.jump_url,
            cut_from=len(text) if len(text) > limit else None,
            written_at=message.created_at,
        )
        tags = await quote_store.tags(self.bot.db, guild_id, "")
        await interaction.response.send_modal(LinkedSubmitModal(self, draft, tags, limit))

    async def submit_linked(
        self,
        interaction: discord.Interaction,
        draft: Draft,
        *,
        text: str,
        speaker: str,
        locator: str,
        tags: list[str],
    ) -> None:
        """The filled form, submitted: the quote waits for a moderator."""
        guild_id = served_guild_id(interaction)
        if guild_id is None:
            raise NotInServer()
        linked = Submission(
            text=text,
            speaker=speaker,
            guild_id=guild_id,
            submitted_by=interaction.user.id,
            origin="message",
            locator=locator,
            author_id=draft.author_id,
            message_link=draft.message_link,
            tags=tuple(tags),
            written_at=draft.written_at,
        )
        # The store asks again inside: an opt-out or a forget committed while the form was
        # open (in any process) holds.
        qid = await submission.queue_for_review(self.bot.db, linked, author=draft.speaker)
        await interaction.response.send_message(
            f"Thanks! The quote is waiting for a moderator as `{qid}`.", ephemeral=True
        )
