"""The Debates cog's part for Stage debates: speakers brought up and sent back on a Stage.

A mixin of :class:`cogs.debate.cog.Debates`. ``/debate start stage:`` ties a debate to a Stage
channel; after every transition the cog asks :func:`cogs.debate.stage.changes` who comes up
and who goes back, and moves them through Discord's *Modify User Voice State*
(``PATCH /guilds/{guild}/voice-states/{user}`` with the Stage and ``suppress``). No voice
connection and no voice-state cache are needed (herbot asks for no voice intent): a member who
is not on the Stage gets a line in the thread instead. Discord requires **Mute Members** on
the Stage for this (and View Channel to see it); ``/debate start`` checks both, and ``herbot
doctor`` lists Mute Members with the feature's permissions.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.errors import BotMissingPermissions
from cogs.debate import poi_store, stage
from cogs.debate.debates import Debate

if TYPE_CHECKING:
    from bot.app import Herbot
    from cogs.debate.machine import State

log = logging.getLogger(__name__)

NOT_CONNECTED = 40032  # Discord: the target user is not connected to voice


def poi_key(debate_id: int, user_id: int) -> str:
    return f"debate:stage-poi:{debate_id}:{user_id}"


class StageDebates:
    """Stage debates for the Debates cog; expects ``bot`` and the cog's ``say``."""

    bot: Herbot

    if TYPE_CHECKING:  # provided by the Debates cog

        async def say(self, debate: Debate, text: str, ping: int | None = None) -> None: ...

    def check_stage(self, channel: discord.StageChannel) -> None:
        """``/debate start stage:``: herbot may move members on this Stage, or says what not."""
        me = channel.guild.me
        granted = channel.permissions_for(me)
        missing = [p for p in stage.PERMISSIONS if not getattr(granted, p)]
        if missing:
            raise BotMissingPermissions(channel.mention, missing)

    def stage_text(self, debate: Debate) -> str | None:
        if debate.stage_channel_id is None:
            return None
        return (
            f"🎙 This debate runs on the Stage <#{debate.stage_channel_id}>: join it. The speaker "
            "called is brought up to speak, and back to the audience when their time ends or "
            "the debate pauses; an accepted point of information brings its offerer up for "
            f"{stage.POI_SECONDS} s."
        )

    async def stage_sync(
        self, debate: Debate, before: State, after: State, now: datetime, *, time_up: bool = False
    ) -> None:
        """After a transition (or "time is up"): who comes up, who goes back."""
        if debate.stage_channel_id is None:
            return
        before_up = (before.seconds_left(now) or 0) <= 0 and before.deadline is not None
        up, down = stage.changes(before, after, time_up=time_up)
        if before_up and not time_up:  # their time had run out: they were sent back already
            up = stage.on_stage(after)
        if before.seq != after.seq:  # the speech is over: its POI offerers go back too (even
            # when their own timer was lost to a restart)
            offered = await poi_store.accepted_in(self.bot.db, debate.id, before.seq)
            down |= frozenset(offered) - stage.on_stage(after)
        for user_id in sorted(down):
            await self.set_speaking(debate, user_id, False)
        for user_id in sorted(up):
            await self.set_speaking(debate, user_id, True)

    async def stage_poi(self, debate: Debate, asker_id: int) -> None:
        """An accepted point of information: its offerer speaks for POI_SECONDS."""
        if debate.stage_channel_id is None:
            return
        await self.set_speaking(debate, asker_id, True)

        async def back() -> None:
            await self.set_speaking(debate, asker_id, False)

        when = self.bot.now() + timedelta(seconds=stage.POI_SECONDS)
        self.bot.scheduler.schedule_at(poi_key(debate.id, asker_id), when, back)

    async def rearm_stage(self, debate: Debate) -> None:
        """After a restart: a POI offerer brought up before it goes back (its timer was lost)."""
        if debate.stage_channel_id is None:
            return
        offered = await poi_store.accepted_in(self.bot.db, debate.id, debate.state.seq)
        for user_id in sorted(frozenset(offered) - stage.on_stage(debate.state)):
            await self.set_speaking(debate, user_id, False)

    async def set_speaking(self, debate: Debate, user_id: int, speaking: bool) -> None:
        """Bring a member up (``suppress: false``) or back to the audience."""
        if debate.stage_channel_id is None or user_id <= 0:
            return
        payload: dict[str, int | bool | None] = {
            "channel_id": debate.stage_channel_id,
            "suppress": not speaking,
        }
        if speaking:
            payload["request_to_speak_timestamp"] = None  # their hand, if raised, is answered
        try:
            await self.bot.http.edit_voice_state(debate.guild_id, user_id, payload)
        except discord.HTTPException as exc:
            if exc.code == NOT_CONNECTED:
                if speaking:
                    await self.say(
                        debate,
                        f"🎙 <@{user_id}> is not on the Stage <#{debate.stage_channel_id}>: "
                        "join it to be heard.",
                    )
                return
            log.warning("could not move a member on debate %d's Stage: %s", debate.id, exc)
            if exc.status == 403:
                await self.say(
                    debate,
                    f"🎙 herbot cannot move speakers on <#{debate.stage_channel_id}>: it needs "
                    "**Mute Members** there.",
                )
