"""Debate polls and moderated Oxford-style debate events (see docs/debate.md)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.feature import Feature
from cogs.debate.privacy import PRIVACY

if TYPE_CHECKING:
    from bot.app import Herbot


async def _setup(bot: Herbot) -> None:
    """Register the Polls and Debates cogs (their persistent buttons are added in cog_load)."""
    from cogs.debate.config import load_config
    from cogs.debate.debate_cog import Debates
    from cogs.debate.poll_cog import Polls

    config = load_config(bot.settings.section("debate"), bot.settings.path)
    await bot.add_cog(Polls(bot, config))
    await bot.add_cog(Debates(bot, config))


def _cli(sub: argparse._SubParsersAction) -> None:
    from cogs.debate.cli import register

    register(sub)


feature = Feature(
    name="debate",
    description="Debates: button polls on the motion and moderated debate events",
    setup=_setup,
    cli=_cli,
    privacy=PRIVACY,
)
