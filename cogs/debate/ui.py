"""The debate panel's persistent buttons and the question form: their state is in the custom_id.

``herbot:debate:ctl:<debate>:<action>`` on a debate's control panel, spelled once
(:class:`bot.components.Persistent`). The Debates cog registers itself as their handler when
it loads (``bot.components.add``) and the question form is given the cog; both reach it
through the small protocol below: this module never imports a cog, so no import circle.
"""

from __future__ import annotations

from typing import Any, Protocol, Self, cast

import discord

from bot.components import Persistent
from bot.errors import report


class DebateHandler(Protocol):
    """What the panel buttons and the question form need of the Debates cog."""

    async def on_control(
        self, interaction: discord.Interaction, debate_id: int, action: str
    ) -> None: ...

    async def on_question(
        self, interaction: discord.Interaction, debate_id: int, question: str
    ) -> None: ...


# Panel actions: who may press them. Member actions join or leave a queue.
MEMBER_ACTIONS: tuple[str, ...] = ("speak_for", "speak_against", "ask", "leave")
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


class DebateControl(
    Persistent[discord.ui.Button, DebateHandler],
    id="herbot:debate:ctl:{debate_id:int}:{action:word}",
    what="debate control {action}",
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
                row=(1 if moderator else 0) if row == -1 else row,
            )
        )

    @classmethod
    def rebuild(cls, item: discord.ui.Item[Any], **fields: Any) -> Self:
        return cls(**fields, label=cast(discord.ui.Button, item).label, row=None)

    async def handle(self, handler: DebateHandler, interaction: discord.Interaction) -> None:
        await handler.on_control(interaction, self.debate_id, self.action)


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

    # discord.py's Modal.on_error drops BaseView's `item`; mypy checks against both
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report(interaction, error, "question modal")
