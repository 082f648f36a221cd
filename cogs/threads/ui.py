"""Buttons: "Save N" on search results (persistent) and the purge confirmation.

Builders only: no cog is imported here. A button's work is done by the cog, reached through
the small protocols below (``interaction.client.get_cog("Threads")``, or a callable given
to the view), and each reply is sent after that work committed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

import discord

from bot.errors import UserError, guarded, report
from bot.presentation import plural


class QuoteSaver(Protocol):
    """What the Save button needs of the recording cog."""

    async def save_as_quote(self, interaction: discord.Interaction, message_id: int) -> str:
        """Submit the recorded message for review; returns the reply for the member."""
        ...


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
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SaveQuoteButton:
        button = cls(int(match["message_id"]))
        button.item.label = cast(discord.ui.Button, item).label
        return button

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, self._save(interaction), "threads save-as-quote")

    async def _save(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog("Threads")
        if cog is None:
            raise UserError("Thread recording is not running right now; try again later.")
        reply = await cast(QuoteSaver, cog).save_as_quote(interaction, self.message_id)
        await interaction.response.send_message(reply, ephemeral=True)


def search_view(message_ids: list[int]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for number, message_id in enumerate(message_ids, 1):
        view.add_item(SaveQuoteButton(message_id, number))
    return view


class PurgeConfirmView(discord.ui.View):
    """A one-off confirmation, only for the moderator who asked."""

    def __init__(
        self, purge: Callable[[int], Awaitable[int]], user_id: int, channel_id: int
    ) -> None:
        super().__init__(timeout=120)
        self.purge = purge
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
        removed = await self.purge(self.channel_id)  # committed when it returns
        self.stop()
        await interaction.response.edit_message(
            content=f"Deleted the transcript ({plural(removed, 'message')}). Recording is off.",
            view=None,
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was deleted.", view=None)
