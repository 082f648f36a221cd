"""/record purge's confirmation: a one-off view, only for the moderator who asked.

Builders only: no cog is imported here. The purge itself is a callable the cog gives the
view, and the reply is sent after it committed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.errors import report
from bot.presentation import plural


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
