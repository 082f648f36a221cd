"""The "Save N" buttons on /transcript search results (persistent).

Builders only: no cog is imported here. A click is handed to the handler the ``Transcripts``
cog registers for the button when it loads (:mod:`bot.components`), and the reply is sent
after its work committed.
"""

from __future__ import annotations

from typing import Any, Protocol, Self, cast

import discord

from bot.components import Persistent


class QuoteSaver(Protocol):
    """What the Save button needs of the ``Transcripts`` cog."""

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
