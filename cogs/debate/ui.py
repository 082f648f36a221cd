"""The debate panel's persistent buttons and the question form: their state is in the custom_id.

``herbot:debate:ctl:<debate>:<action>`` on a debate's control panel. They are registered once
in the cog's ``cog_load`` with ``bot.add_dynamic_items``; each callback hands over to the cog,
typed by the small protocol below: this module never imports a cog, so no import circle.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from bot.errors import guarded, report


class DebateHandler(Protocol):
    """What the panel buttons and the question form need of the Debates cog."""

    async def on_control(
        self, interaction: discord.Interaction, debate_id: int, action: str
    ) -> None: ...

    async def on_question(
        self, interaction: discord.Interaction, debate_id: int, question: str
    ) -> None: ...


# Panel actions: who may press them. Member actions join or leave a queue.
MEMBER_ACTIONS = ("speak_for", "speak_against", "ask", "leave")
MODERATOR_ACTIONS = ("advance", "skip", "call", "pause", "resume", "extend")
ACTION_LABELS = {
    "speak_for": "Speak For",
    "speak_against": "Speak Against",
    "ask": "Ask a question",
    "leave": "Leave queue",
    "poi": "Offer POI",  # on the panel of a format that takes points of information
    "advance": "Next phase",
    "skip": "Skip next phase",
    "call": "Call next",
    "pause": "Pause",
    "resume": "Resume",
    "extend": "Extend",
}


def _cog(interaction: discord.Interaction, name: str) -> Any:
    cog = interaction.client.get_cog(name)  # type: ignore[union-attr]
    if cog is None:  # pragma: no cover - the extension is loaded with its buttons
        raise RuntimeError(f"the {name} cog is not loaded")
    return cog


def _debates(interaction: discord.Interaction) -> DebateHandler:
    return _cog(interaction, "Debates")


class DebateControl(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"herbot:debate:ctl:(?P<debate>\d+):(?P<action>\w+)",
):
    def __init__(
        self, debate_id: int, action: str, label: str | None = None, row: int | None = -1
    ) -> None:
        """``row=-1``: members' row 0, moderators' row 1 (a classic view); None in a layout."""
        self.debate_id = debate_id
        self.action = action
        moderator = action in MODERATOR_ACTIONS
        style = {
            "speak_for": discord.ButtonStyle.primary,
            "speak_against": discord.ButtonStyle.danger,
            "advance": discord.ButtonStyle.success,
        }.get(action, discord.ButtonStyle.secondary)
        super().__init__(
            discord.ui.Button(
                label=label or ACTION_LABELS.get(action, action),
                style=style,
                custom_id=f"herbot:debate:ctl:{debate_id}:{action}",
                row=(1 if moderator else 0) if row == -1 else row,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> DebateControl:
        return cls(int(match["debate"]), match["action"], item.label, row=None)

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = _debates(interaction)
        await guarded(
            interaction,
            cog.on_control(interaction, self.debate_id, self.action),
            f"debate control {self.action}",
        )


class QuestionModal(discord.ui.Modal, title="Ask the speakers a question"):
    question: discord.ui.TextInput = discord.ui.TextInput(
        label="Your question",
        custom_id="question",
        style=discord.TextStyle.paragraph,
        min_length=5,
        max_length=500,
    )

    def __init__(self, cog: DebateHandler, debate_id: int) -> None:
        super().__init__(timeout=600)
        self.cog = cog
        self.debate_id = debate_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.on_question(interaction, self.debate_id, str(self.question.value))

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report(interaction, error, "question modal")
