"""Moderated debate events in four formats, with a pre- and post-debate vote (docs/debate.md)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.feature import Feature
from cogs.debate.config import KEYS
from cogs.debate.privacy import PRIVACY

if TYPE_CHECKING:
    from bot.app import Herbot
    from bot.config import Settings
    from bot.doctor import Finding


async def _setup(bot: Herbot) -> None:
    """Add the Debates cog, given the polls feature that runs its votes."""
    from cogs.debate.cog import Debates
    from cogs.debate.config import load_config
    from cogs.polls.service import PollRunner

    config = load_config(bot.settings.section("debate"), bot.settings.path)
    await bot.add_cog(Debates(bot, config, bot.services.get(PollRunner)))


def _doctor(settings: Settings) -> list[Finding]:
    from cogs.debate.config import doctor

    return doctor(settings)


def _cli(sub: argparse._SubParsersAction) -> None:
    from cogs.debate.cli import register

    register(sub)


feature = Feature(
    name="debate",
    description="Debates: moderated debate events with a pre- and post-debate vote",
    setup=_setup,
    cli=_cli,
    privacy=PRIVACY,
    requires=("cogs.polls",),
    permissions=(
        "view_channel",
        "send_messages",
        "create_public_threads",
        "send_messages_in_threads",
        "embed_links",
        "attach_files",
        "create_events",
        "manage_events",
        "mute_members",  # Stage debates: bring speakers up and back (cogs/debate/stage.py)
    ),
    settings={"debate": KEYS},
    doctor=_doctor,
)
