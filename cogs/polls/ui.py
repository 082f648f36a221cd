"""A poll's persistent buttons: their state is in the custom_id.

``herbot:poll:vote:<poll>:<option>`` and ``herbot:poll:retract:<poll>`` on poll messages.
They are registered once in the cog's ``cog_load`` with ``bot.add_dynamic_items``; each
callback hands over to the cog, typed by the small protocol below: this module never
imports a cog, so no import circle. The embeds are built in :mod:`cogs.polls.embeds_ui`.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from bot.errors import guarded
from bot.presentation import BUTTON_LABEL_LIMIT, truncate


class PollHandler(Protocol):
    """What the poll buttons need of the Polls cog."""

    async def on_vote(
        self, interaction: discord.Interaction, poll_id: int, position: int
    ) -> None: ...

    async def on_retract(self, interaction: discord.Interaction, poll_id: int) -> None: ...


VOTE_PREFIX = "herbot:poll:vote:"  # + "<poll>:<option>"; also taken on bot/fastlane.py


def _cog(interaction: discord.Interaction, name: str) -> Any:
    cog = interaction.client.get_cog(name)  # type: ignore[union-attr]
    if cog is None:  # pragma: no cover - the extension is loaded with its buttons
        raise RuntimeError(f"the {name} cog is not loaded")
    return cog


def _polls(interaction: discord.Interaction) -> PollHandler:
    return _cog(interaction, "Polls")


class PollVoteButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"herbot:poll:vote:(?P<poll>\d+):(?P<opt>\d)",
):
    def __init__(self, poll_id: int, position: int, label: str = "vote") -> None:
        self.poll_id = poll_id
        self.position = position
        super().__init__(
            discord.ui.Button(
                label=truncate(label, BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.primary,
                custom_id=f"herbot:poll:vote:{poll_id}:{position}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> PollVoteButton:
        return cls(int(match["poll"]), int(match["opt"]), item.label or "vote")

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _polls(interaction)
        await guarded(
            interaction, cog.on_vote(interaction, self.poll_id, self.position), "poll vote button"
        )


class PollRetractButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"herbot:poll:retract:(?P<poll>\d+)",
):
    def __init__(self, poll_id: int) -> None:
        self.poll_id = poll_id
        super().__init__(
            discord.ui.Button(
                label="Retract my vote",
                style=discord.ButtonStyle.secondary,
                custom_id=f"herbot:poll:retract:{poll_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> PollRetractButton:
        return cls(int(match["poll"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _polls(interaction)
        await guarded(interaction, cog.on_retract(interaction, self.poll_id), "poll retract button")


def poll_view(poll_id: int, options: tuple[str, ...]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for i, label in enumerate(options):
        view.add_item(PollVoteButton(poll_id, i, label))
    view.add_item(PollRetractButton(poll_id))
    return view
