"""A poll's persistent buttons: their state is in the custom_id.

``herbot:poll:vote:<poll>:<option>`` and ``herbot:poll:retract:<poll>`` on poll messages
(:class:`bot.components.Persistent`: each id is spelled once, below). The Polls cog
registers itself as their handler when it loads (``bot.components.add``); a click is handed
to it through the small protocol below: this module never imports a cog, so no import circle.
The embeds are built in :mod:`cogs.polls.embeds_ui`.
"""

from __future__ import annotations

from typing import Any, Protocol, Self, cast

import discord

from bot.components import Persistent
from bot.presentation import BUTTON_LABEL_LIMIT, truncate


class PollHandler(Protocol):
    """What the poll buttons need of the Polls cog."""

    async def on_vote(
        self, interaction: discord.Interaction, poll_id: int, position: int
    ) -> None: ...

    async def on_retract(self, interaction: discord.Interaction, poll_id: int) -> None: ...


class PollVoteButton(
    Persistent[discord.ui.Button, PollHandler],
    id="herbot:poll:vote:{poll_id:int}:{position:digit}",  # its prefix is on bot/fastlane.py
    what="poll vote button",
):
    def __init__(self, poll_id: int, position: int, label: str = "vote") -> None:
        self.poll_id = poll_id
        self.position = position
        super().__init__(
            discord.ui.Button(
                label=truncate(label, BUTTON_LABEL_LIMIT), style=discord.ButtonStyle.primary
            )
        )

    @classmethod
    def rebuild(cls, item: discord.ui.Item[Any], **fields: Any) -> Self:
        return cls(**fields, label=cast(discord.ui.Button, item).label or "vote")

    async def handle(self, handler: PollHandler, interaction: discord.Interaction) -> None:
        await handler.on_vote(interaction, self.poll_id, self.position)


class PollRetractButton(
    Persistent[discord.ui.Button, PollHandler],
    id="herbot:poll:retract:{poll_id:int}",
    what="poll retract button",
):
    def __init__(self, poll_id: int) -> None:
        self.poll_id = poll_id
        super().__init__(
            discord.ui.Button(label="Retract my vote", style=discord.ButtonStyle.secondary)
        )

    async def handle(self, handler: PollHandler, interaction: discord.Interaction) -> None:
        await handler.on_retract(interaction, self.poll_id)


def poll_view(poll_id: int, options: tuple[str, ...]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for i, label in enumerate(options):
        view.add_item(PollVoteButton(poll_id, i, label))
    view.add_item(PollRetractButton(poll_id))
    return view
