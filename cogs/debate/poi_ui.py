"""Points of information in the thread: the offer with its Accept / Decline buttons.

``herbot:debate:poi:<debate>:<poi>:<accept|decline>`` is a persistent DynamicItem (registered
in the Debates cog's ``cog_load``), so the speaker can still answer after a restart. Who may
press it (the speaker or a moderator) is checked by the cog; this module never imports it.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from bot.errors import guarded


class POIHandler(Protocol):
    async def on_poi_answer(
        self, interaction: discord.Interaction, debate_id: int, poi_id: int, accepted: bool
    ) -> None: ...


def _debates(interaction: discord.Interaction[Any]) -> POIHandler:
    cog: Any = interaction.client.get_cog("Debates")
    if cog is None:  # pragma: no cover - the extension is loaded with its buttons
        raise RuntimeError("the Debates cog is not loaded")
    return cog


class POIAnswer(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"herbot:debate:poi:(?P<debate>\d+):(?P<poi>\d+):(?P<answer>accept|decline)",
):
    def __init__(self, debate_id: int, poi_id: int, accept: bool) -> None:
        self.debate_id = debate_id
        self.poi_id = poi_id
        self.accept = accept
        answer = "accept" if accept else "decline"
        super().__init__(
            discord.ui.Button(
                label="Accept" if accept else "Decline",
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
                custom_id=f"herbot:debate:poi:{debate_id}:{poi_id}:{answer}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> POIAnswer:
        return cls(int(match["debate"]), int(match["poi"]), match["answer"] == "accept")

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(
            interaction,
            _debates(interaction).on_poi_answer(
                interaction, self.debate_id, self.poi_id, self.accept
            ),
            "point of information answer",
        )


def offer_view(debate_id: int, poi_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(POIAnswer(debate_id, poi_id, True))
    view.add_item(POIAnswer(debate_id, poi_id, False))
    return view


def offer_text(asker_id: int, speaker_id: int, speech_title: str) -> str:
    return (
        f"✋ <@{asker_id}> offers a **point of information** to <@{speaker_id}> "
        f"({speech_title}). The speaker (or a moderator) accepts or declines."
    )


def answered_text(asker_id: int, speaker_id: int, answer: str) -> str:
    words = {
        "accepted": f"✅ <@{speaker_id}> accepted the point of information from <@{asker_id}>.",
        "declined": f"🚫 <@{speaker_id}> declined the point of information from <@{asker_id}>.",
        "lapsed": f"⌛ The point of information from <@{asker_id}> lapsed: the speech ended.",
    }
    return words[answer]
