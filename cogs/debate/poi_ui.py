"""Points of information in the thread: the offer with its Accept / Decline buttons.

``herbot:debate:poi:<debate>:<poi>:<accept|decline>`` is a persistent button
(:class:`bot.components.Persistent`, handled by the Debates cog, registered when it loads),
so the speaker can still answer after a restart. Who may press it (the speaker or a
moderator) is checked by the cog; this module never imports it.
"""

from __future__ import annotations

from typing import Protocol

import discord

from bot.components import Field, Persistent


class POIHandler(Protocol):
    async def on_poi_answer(
        self, interaction: discord.Interaction, debate_id: int, poi_id: int, accepted: bool
    ) -> None: ...


class POIAnswer(
    Persistent[discord.ui.Button, POIHandler],
    id="herbot:debate:poi:{debate_id:int}:{poi_id:int}:{accept}",
    accept=Field(
        "accept|decline",
        parse=lambda text: text == "accept",
        format=lambda yes: "accept" if yes else "decline",
    ),
    what="point of information answer",
):
    def __init__(self, debate_id: int, poi_id: int, accept: bool) -> None:
        self.debate_id = debate_id
        self.poi_id = poi_id
        self.accept = accept
        super().__init__(
            discord.ui.Button(
                label="Accept" if accept else "Decline",
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
            )
        )

    async def handle(self, handler: POIHandler, interaction: discord.Interaction) -> None:
        await handler.on_poi_answer(interaction, self.debate_id, self.poi_id, self.accept)


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
