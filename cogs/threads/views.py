"""Buttons: "Save N" on search results (persistent) and the purge confirmation."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot import privacy
from bot.errors import UserError, guarded, report
from cogs.quotes.service import AlreadySaved, Submission, submit_pending
from cogs.threads import exporters, store

if TYPE_CHECKING:
    from cogs.threads.cog import Threads


class SaveQuoteButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"herbot:threads:quote:(?P<message_id>\d+)",
):
    """Sends a recorded message to the quote store's pending queue, with its provenance.

    Persistent (a DynamicItem): it works on results shown before a restart.
    """

    def __init__(self, message_id: int, number: int = 1) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Save {number} as quote",
                style=discord.ButtonStyle.secondary,
                custom_id=f"herbot:threads:quote:{message_id}",
            )
        )
        self.message_id = message_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> SaveQuoteButton:
        button = cls(int(match["message_id"]))
        button.item.label = item.label
        return button

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, self._save(interaction), "threads save-as-quote")

    async def _save(self, interaction: discord.Interaction) -> None:
        bot: Any = interaction.client
        kept = await store.kept_message(bot.db, self.message_id)
        if kept is None or kept.content is None or kept.guild_id != interaction.guild_id:
            raise UserError("That message is no longer kept (it was deleted or redacted).")
        if not kept.content.strip():
            raise UserError("That message has no text to quote.")
        if await privacy.is_opted_out(bot.db, kept.author_id, "quote"):
            raise UserError(f"{kept.author_name} has opted out of being quoted.")
        link = store.jump_url(kept.guild_id, kept.channel_id, kept.message_id)
        try:
            quote_id = await submit_pending(bot.db, self._submission(kept, interaction, link))
        except AlreadySaved as exc:
            raise UserError(
                f"That message is already in the quote store or its queue (`{exc.quote_id}`)."
            ) from None
        await interaction.response.send_message(
            f"Sent {kept.author_name}'s message to the moderators' quote queue "
            f"(`{quote_id}`), with a link to the original.",
            ephemeral=True,
        )

    @staticmethod
    def _submission(kept: Any, interaction: discord.Interaction, link: str) -> Submission:
        return Submission(
            text=kept.content[:1000],
            speaker=kept.author_name,
            guild_id=kept.guild_id,
            submitted_by=interaction.user.id,
            origin="transcript",
            author_id=kept.author_id,
            message_link=link,
            locator=f"{kept.channel_name}, {exporters.display_time(kept.created_at)}",
        )


def search_view(message_ids: list[int]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for number, message_id in enumerate(message_ids, 1):
        view.add_item(SaveQuoteButton(message_id, number))
    return view


class PurgeConfirmView(discord.ui.View):
    """A one-off confirmation, only for the moderator who asked."""

    def __init__(self, cog: Threads, user_id: int, channel_id: int) -> None:
        super().__init__(timeout=120)
        self.cog = cog
        self.user_id = user_id
        self.channel_id = channel_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.user_id

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        await report(interaction, error, "record purge")

    @discord.ui.button(label="Delete the transcript", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        removed = await self.cog.purge(self.channel_id)
        self.stop()
        await interaction.response.edit_message(
            content=f"Deleted the transcript ({removed} messages). Recording is off.", view=None
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was deleted.", view=None)
