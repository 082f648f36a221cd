"""/quote commands, review buttons, the "Save as quote" menu and the quote of the day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

if TYPE_CHECKING:
    from bot.app import Herbot


class Quotes(commands.Cog):
    def __init__(self, bot: Herbot) -> None:
        self.bot = bot
