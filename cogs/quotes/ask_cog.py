"""/ask: answers from the quote store, with citations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

if TYPE_CHECKING:
    from bot.app import Herbot


class Ask(commands.Cog):
    def __init__(self, bot: Herbot) -> None:
        self.bot = bot
