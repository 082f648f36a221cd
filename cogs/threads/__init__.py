"""Thread recording: live transcripts with edit history, search, exports and privacy.

Two rooms: ``recording/`` (the recorder, the live listeners, /record and their SQL) and
``transcripts/`` (/transcript export, search and stats, the exporters, ``herbot transcript``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.feature import Feature, NeedsContent
from cogs.threads.config import KEYS
from cogs.threads.privacy import PRIVACY as _PRIVACY

if TYPE_CHECKING:
    from bot.app import Herbot
    from bot.config import Settings
    from bot.doctor import Finding


async def _setup(bot: Herbot) -> None:
    from cogs.threads.config import ThreadsConfig
    from cogs.threads.recording.catchup_cog import CatchUp
    from cogs.threads.recording.cog import ThreadRecording
    from cogs.threads.transcripts.cog import Transcripts

    config = ThreadsConfig.from_section(bot.settings.section("threads"))
    recording = ThreadRecording(bot, config)
    await bot.add_cog(recording)
    await bot.add_cog(CatchUp(bot, recording, config))  # after the recordings are loaded
    await bot.add_cog(Transcripts(bot, recording))


def _doctor(settings: Settings) -> list[Finding]:
    from cogs.threads.config import doctor

    return doctor(settings)


def _cli(sub: argparse._SubParsersAction) -> None:
    from cogs.threads.transcripts.cli import register

    register(sub)


feature = Feature(
    name="threads",
    description="Thread recording: record discussion threads, search them, export transcripts",
    setup=_setup,
    cli=_cli,
    privacy=_PRIVACY,
    # Live recording reads every message of a recorded thread (and backfill, its history).
    message_content=(
        NeedsContent(
            "Live recording",
            commands=("record start",),
            instead="Transcripts recorded before can still be searched and exported.",
        ),
    ),
    permissions=(
        "view_channel",
        "read_message_history",
        "send_messages",
        "send_messages_in_threads",
        "manage_threads",
    ),
    settings={"threads": KEYS},
    doctor=_doctor,
)
