"""Polls: button polls (single choice, approval, ranked), schedules and reminders, quick polls."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.feature import Feature
from cogs.polls.privacy import PRIVACY

if TYPE_CHECKING:
    from bot.app import Herbot


async def _setup(bot: Herbot) -> None:
    """Add the Polls cog and provide it to the features that run polls of their own."""
    from cogs.polls.cog import Polls
    from cogs.polls.config import load_config, merged_section
    from cogs.polls.service import PollRunner

    section = merged_section(bot.settings.section("polls"), bot.settings.section("debate"))
    polls = Polls(bot, load_config(section, bot.settings.path))
    bot.services.provide(PollRunner, polls)
    await bot.add_cog(polls)


def _cli(sub: argparse._SubParsersAction) -> None:
    from cogs.polls.cli import register

    register(sub)


feature = Feature(
    name="polls",
    description="Polls: button polls on the motion, ballots, schedules and quick polls",
    setup=_setup,
    cli=_cli,
    privacy=PRIVACY,
)
