"""Polls: button polls (single choice, approval, ranked), schedules and reminders, quick polls."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.feature import Feature
from cogs.polls.config import KEYS
from cogs.polls.privacy import PRIVACY

if TYPE_CHECKING:
    from bot.app import Herbot
    from bot.config import Settings
    from bot.doctor import Finding


async def _setup(bot: Herbot) -> None:
    """Add the Polls cog and provide it to the features that run polls of their own."""
    from cogs.polls.cog import Polls
    from cogs.polls.config import load_config, merged_section
    from cogs.polls.service import PollRunner

    section = merged_section(bot.settings.section("polls"), bot.settings.section("debate"))
    polls = Polls(bot, load_config(section, bot.settings.path))
    bot.services.provide(PollRunner, polls)
    await bot.add_cog(polls)


def _doctor(settings: Settings) -> list[Finding]:
    from cogs.polls.config import doctor

    return doctor(settings)


def _cli(sub: argparse._SubParsersAction) -> None:
    from cogs.polls.cli import register

    register(sub)


feature = Feature(
    name="polls",
    description="Polls: button polls on the motion, ballots, schedules and quick polls",
    setup=_setup,
    cli=_cli,
    privacy=PRIVACY,
    permissions=(
        "view_channel",
        "send_messages",
        "send_messages_in_threads",
        "embed_links",
        "attach_files",
        "send_polls",
    ),
    # Its keys written under [debate] before polls had a table of their own are still read.
    settings={"polls": KEYS, "debate": KEYS},
    doctor=_doctor,
)
