"""The Debates cog's part for the motion veto: the set of three, the strikes, the motion left.

A mixin of :class:`cogs.debate.cog.Debates`. ``/debate start ... veto:"B; C"`` in a format
with ``motion_veto`` opens the debate without its pre-debate vote: the thread shows the three
motions with **Strike** buttons; when both sides struck (or the veto's timer, on the one
scheduler, runs out) the motion left becomes the debate's, its pre-debate vote opens and
preparation starts. The rules are :mod:`cogs.debate.veto`'s, the rows
:mod:`cogs.debate.veto_store`'s; the state is in the database, so a restart resumes it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.db import Transaction
from bot.errors import UserError, refusals
from cogs.debate import store, veto, veto_store
from cogs.debate.config import DEBATE_OPTIONS
from cogs.debate.debates import PRE_VOTE, Debate
from cogs.debate.veto_ui import veto_view
from cogs.polls import service as polls_service

if TYPE_CHECKING:
    from bot.app import Herbot
    from cogs.debate.formats import Format
    from cogs.polls.service import PollRunner

log = logging.getLogger(__name__)


def veto_key(debate_id: int) -> str:
    return f"debate:veto:{debate_id}"


class VetoDebates:
    """The motion veto for the Debates cog; expects ``bot``, ``polls`` and the cog's helpers."""

    bot: Herbot
    polls: PollRunner

    if TYPE_CHECKING:  # provided by the Debates cog and FormatDebates

        async def say(self, debate: Debate, text: str, ping: int | None = None) -> None: ...
        async def refresh_panel(self, debate_id: int) -> None: ...
        def arm_debate(
            self, debate_id: int, *, restarted: bool = False, at: datetime | None = None
        ) -> None: ...
        def format_of(self, debate: Debate) -> Format | None: ...
        def _start_hint(self, debate: Debate, fmt: Format | None) -> str | None: ...
        async def _open_format(
            self, tx: Transaction, debate_id: int, fmt: Format | None
        ) -> None: ...

    def veto_motions(
        self, fmt: Format | None, first: str, others: str | None
    ) -> tuple[str, ...] | None:
        """``/debate start``'s ``veto`` option: the three motions, or None without a veto."""
        if others is None or not others.strip():
            return None
        if fmt is None or not fmt.motion_veto:
            name = fmt.name if fmt else "Oxford-style"
            raise UserError(
                f"{name} has no motion veto: leave `veto` out, or choose a format with one "
                "(Asian Parliamentary, World Schools)."
            )
        with refusals(ValueError):
            return veto.motion_set(first, others, lambda text: self.polls.resolve_motion(text)[0])

    async def create_veto(
        self, tx: Transaction, debate_id: int, motions: tuple[str, ...], now: datetime
    ) -> None:
        await veto_store.create(tx, debate_id, motions, now + timedelta(seconds=veto.VETO_SECONDS))

    def arm_veto(self, debate_id: int, at: datetime) -> None:
        self.bot.scheduler.schedule_at(
            veto_key(debate_id), at, lambda: self.finish_veto(debate_id, timed_out=True)
        )

    async def open_veto(self, debate: Debate) -> None:
        """After ``/debate start`` committed: the strike message, and the veto's timer."""
        found = await veto_store.get(self.bot.db, debate.id)
        if found is None or debate.thread_id is None:
            return
        try:
            message = await self.bot.get_partial_messageable(debate.thread_id).send(
                veto.veto_text(found) + f"\nThe veto ends <t:{int(found.deadline.timestamp())}:R>.",
                view=veto_view(debate.id),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as exc:
            log.warning("could not post the motion veto of debate %d: %s", debate.id, exc)
        else:
            async with self.bot.db.transaction() as tx:
                await veto_store.set_message(tx, debate.id, message.id)
        self.arm_veto(debate.id, found.deadline)

    async def rearm_vetoes(self) -> None:
        for pending in await veto_store.pending(self.bot.db):
            debate = await store.get_debate(self.bot.db, pending.debate_id)
            if debate is not None and self.bot.owns_guild(debate.guild_id):
                self.arm_veto(pending.debate_id, pending.deadline)

    async def on_strike(
        self, interaction: discord.Interaction, debate_id: int, position: int
    ) -> None:
        found = await veto_store.get(self.bot.db, debate_id)
        debate = await store.get_debate(self.bot.db, debate_id)
        if found is None or debate is None:
            raise UserError("This motion veto is no longer on record.")
        user_id = interaction.user.id
        waiting = await store.waiting(self.bot.db, debate_id, "speaker")
        side = next((e.side for e in waiting if e.user_id == user_id), None)
        with refusals(ValueError):  # the domain's refusals
            veto.check_strike(found, side, position)
        assert side is not None
        async with self.bot.db.transaction() as tx:
            struck = await veto_store.strike(tx, debate_id, side, position, user_id, self.bot.now())
        if not struck:  # another strike landed first: say which rule it broke now
            now_found = await veto_store.get(self.bot.db, debate_id)
            with refusals(ValueError):
                if now_found is not None:
                    veto.check_strike(now_found, side, position)
            raise UserError("The veto changed a moment ago: look at it and try again.")
        word = veto.SIDE_WORDS[side]
        await interaction.response.send_message(
            f"You struck motion {position + 1} for the {word} side.", ephemeral=True
        )
        await self.say(debate, f"✂️ The {word} side strikes motion {position + 1}.")
        await self.finish_veto(debate_id, timed_out=False)

    async def finish_veto(self, debate_id: int, *, timed_out: bool) -> None:
        """Both sides struck, or the time is up: the motion left, its vote, preparation."""
        found = await veto_store.get(self.bot.db, debate_id)
        debate = await store.get_debate(self.bot.db, debate_id)
        if found is None or debate is None or found.chosen is not None:
            return
        position = veto.outcome(found, timed_out)
        if position is None:
            return
        motion, now = found.motions[position], self.bot.now()
        fmt = self.format_of(debate)
        async with self.bot.db.transaction() as tx:
            if not await veto_store.choose(tx, debate_id, position, now):
                return  # the other path chose it a moment ago
            await store.set_motion(tx, debate_id, motion)
            pre_id = await polls_service.create_poll(
                tx,
                guild_id=debate.guild_id,
                channel_id=debate.thread_id or 0,
                question=motion,
                options=DEBATE_OPTIONS,
                created_by=debate.moderator_id,
                now=now,
                live=False,
                kind=PRE_VOTE,
            )
            await store.attach(tx, debate_id, pre_poll_id=pre_id)
            await self._open_format(tx, debate_id, fmt)
            updated = await store.require_debate(tx, debate_id, None)
        self.bot.scheduler.cancel(veto_key(debate_id))
        late = " (the veto's time is up)" if timed_out else ""
        await self.say(updated, veto.chosen_text(found, position) + late)
        message_id = await veto_store.message_id(self.bot.db, debate_id)
        if updated.thread_id is not None:
            thread = self.bot.get_partial_messageable(updated.thread_id)
            if message_id is not None:
                try:  # the strike buttons go: the veto is over
                    await thread.get_partial_message(message_id).edit(view=None)
                except discord.HTTPException as exc:
                    log.warning("could not close the veto of debate %d: %s", debate_id, exc)
            await self.polls.post_poll(thread, pre_id)
        hint = self._start_hint(updated, fmt)
        if hint:
            await self.say(updated, hint)
        self.arm_debate(debate_id)
        await self.refresh_panel(debate_id)
