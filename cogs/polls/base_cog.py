"""The contract the parts of the Polls cog build on: what each part may use of the others.

``/poll`` is one command group, so one cog: :class:`cogs.polls.cog.Polls` (votes, results,
exports, the deadline) is assembled from :class:`cogs.polls.lifecycle_cog.PollLifecycle`
(schedules, reminders, added options) and :class:`cogs.polls.ballot_cog.BallotVoting`
(approval and ranked ballots). A part uses only what is declared here, never another
part's private helpers; ``Polls`` provides all of it (Red's ``redbot/cogs/mod/abc.py`` does
the same with one declared base for its mixins).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import discord
    from discord import app_commands

    from bot.app import Herbot
    from bot.fastlane import Click
    from cogs.polls.config import PollsConfig
    from cogs.polls.eligibility import Rules
    from cogs.polls.polls import Poll, Tally
    from cogs.polls.service import HostedKind


class PollsParts:
    """Declared here, provided by the Polls cog."""

    bot: Herbot
    config: PollsConfig
    # Polls another feature runs (a debate's votes), by kind: how they are shown and guarded.
    hosted: dict[str, HostedKind]
    # Open polls' definitions, loaded once for a burst of clicks (whether a poll is still
    # open is decided by the database on every write).
    open_polls: dict[int, asyncio.Task[Poll | None]]

    if TYPE_CHECKING:

        def channel_of(self, channel_id: int) -> discord.PartialMessageable: ...

        def arm_deadline(self, poll_id: int, closes_at: datetime) -> None: ...

        def schedule_refresh(self, poll: Poll) -> None: ...

        async def cached_poll(self, poll_id: int) -> Poll | None: ...

        async def guild_poll(self, interaction: discord.Interaction, poll_id: int) -> Poll: ...

        async def poll_embed(self, poll: Poll, tally: Tally) -> discord.Embed: ...

        async def post_poll(self, channel: Any, poll_id: int) -> discord.Message: ...

        async def close_poll(self, poll_id: int, by: int | None) -> bool: ...

        async def discard_unposted(self, poll_id: int) -> None: ...

        async def refuse_unless_may_vote(
            self,
            interaction: discord.Interaction,
            poll: Poll | None,
            ballot_kind: str,
            option: int | None = None,
        ) -> None: ...

        def lane_may_vote(
            self, poll: Poll | None, click: Click, ballot_kind: str, option: int | None = None
        ) -> bool: ...

        def vote_rules(self, eligible: str | None, quorum: str | None) -> Rules: ...

        def resolve_motion(self, text: str) -> tuple[str, tuple[str, ...]]: ...

        async def motion_autocomplete(
            self, interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]: ...

        async def poll_id_autocomplete(
            self, interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[int]]: ...
