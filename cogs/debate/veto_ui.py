"""The motion veto in the thread: the three motions with a persistent **Strike** button each.

``herbot:debate:veto:<debate>:<position>`` (:class:`bot.components.Persistent`), handled by
the Debates cog (which decides the member's side and whether they may strike); this module
never imports it.
"""

from __future__ import annotations

from typing import Protocol

import discord

from bot.components import Persistent
from cogs.debate.veto import MOTIONS


class VetoHandler(Protocol):
    async def on_strike(
        self, interaction: discord.Interaction, debate_id: int, position: int
    ) -> None: ...


class VetoStrike(
    Persistent[discord.ui.Button, VetoHandler],
    id="herbot:debate:veto:{debate_id:int}:{position:int}",
    what="motion veto strike",
):
    def __init__(self, debate_id: int, position: int) -> None:
        self.debate_id = debate_id
        self.position = position
        super().__init__(
            discord.ui.Button(label=f"Strike {position + 1}", style=discord.ButtonStyle.danger)
        )

    async def handle(self, handler: VetoHandler, interaction: discord.Interaction) -> None:
        await handler.on_strike(interaction, self.debate_id, self.position)


def veto_view(debate_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for position in range(MOTIONS):
        view.add_item(VetoStrike(debate_id, position))
    return view
