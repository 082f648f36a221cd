"""Buttons: "Save N" on search results (persistent) and the purge confirmation.

Builders only: no cog is imported here. A button's work is done by the cog, reached through
the small protocol below (the handler the Threads cog registers for the persistent button
when it loads, :mod:`bot.components`) or a callable given to the view, and each reply is sent
after that work committed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, Self, cast

import discord

from bot.components import Persistent
from bot.errors import report
from bot.presentation import plural


class QuoteSaver(Protocol):
    """What the Save button needs of the recording cog."""

    async def save_as_quote(self, interaction: discord.Interaction, message_id: int) -> str:
        """Submit the recorded message for review; returns the reply for the member."""
        ...


class SaveQuoteButton(
    Persistent[discord.ui.Button, QuoteSaver],
    id="herbot:threads:quote:{message_id:int}",
    what="threads save-as-quote",
):
    """Sends a recorded message to the quote store's pending queue, with its provenance.

    Persistent: it works on results shown before a restart.
    """

    def __init__(self, message_id: int, number: int = 1) -> None:
        self.message_id = message_id
        super().__init__(
            discord.ui.Button(label=f"Save {number} as quote", style=discord.ButtonStyle.secondary)
        )

    @classmethod
    def rebuild(cls, item: discord.ui.Item[Any], **fields: Any) -> Self:
        button = cls(**fields)
        button.item.label = cast(discord.ui.Button, item).label
        return button

    async def handle(self, handler: QuoteSaver, interaction: discord.Interaction) -> None:
        reply = await handler.save_as_quote(interaction, self.message_id)
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
