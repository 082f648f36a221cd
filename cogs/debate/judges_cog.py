"""The Debates cog's part for judges: the panel, the private ballots, the chair's release.

A mixin of :class:`cogs.debate.cog.Debates` (which declares the ``/debate judges`` and
``/debate decision`` commands and calls in here). The rules (what a ballot says, how a panel
decides) are :mod:`cogs.debate.judging`'s, the rows :mod:`cogs.debate.judges_store`'s, what
members see :mod:`cogs.debate.judges_ui`'s. Ballots open after the last speech (the
post-debate vote and after) and may be changed until the chair releases the decision.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.checks import ensure_moderator
from bot.errors import UserError, refusals
from cogs.debate import judges_store, judging, store
from cogs.debate.debates import Debate
from cogs.debate.judges_ui import (
    BallotModal,
    ballot_summary,
    ballots_open_text,
    ballots_view,
    decision_embed,
    decision_line,
)

if TYPE_CHECKING:
    from bot.app import Herbot
    from cogs.debate.config import DebateConfig
    from cogs.debate.formats import Format

log = logging.getLogger(__name__)

BALLOT_PHASES = ("post_vote", "finished")  # after the last speech


class JudgeDebates:
    """Judges for the Debates cog; expects ``bot``, ``config`` and the cog's helpers."""

    bot: Herbot
    config: DebateConfig

    if TYPE_CHECKING:  # provided by the Debates cog

        async def say(self, debate: Debate, text: str, ping: int | None = None) -> None: ...
        async def audience_line(self, debate: Debate) -> str | None: ...

    def judged_format(self, debate: Debate) -> Format:
        fmt = {f.id: f for f in self.config.formats}.get(debate.format_id)
        if fmt is None:
            raise UserError(
                f"Debate #{debate.id} runs the format {debate.format_id!r}, which is no longer "
                "in the debate formats file: put it back to judge it."
            )
        return fmt

    async def _debate_here(self, interaction: discord.Interaction, debate_id: int) -> Debate:
        with refusals(ValueError):
            return await store.require_debate(
                self.bot.db, debate_id, interaction.guild.id if interaction.guild else None
            )

    # ------------------------------------------------------------------ the panel

    async def judges_add(
        self, interaction: discord.Interaction, debate_id: int, member: discord.Member
    ) -> None:
        debate = await self._debate_here(interaction, debate_id)
        if member.bot:
            raise UserError("A bot cannot judge a debate.")
        async with self.bot.db.transaction() as tx:
            added = await judges_store.add_judge(
                tx, debate.id, member.id, interaction.user.id, self.bot.now()
            )
        if not added:
            if await judges_store.released(self.bot.db, debate.id):
                raise UserError(f"Debate #{debate.id}'s decision is released: the panel is final.")
            raise UserError(f"{member.mention} already judges debate #{debate.id}.")
        panel = await judges_store.judges(self.bot.db, debate.id)
        await interaction.response.send_message(
            f"{member.mention} judges debate #{debate.id} (a panel of {len(panel)}). Their "
            "private ballot opens after the last speech.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        if debate.state.phase in BALLOT_PHASES:
            await self.open_ballots(debate)

    async def judges_remove(
        self, interaction: discord.Interaction, debate_id: int, member: discord.User
    ) -> None:
        debate = await self._debate_here(interaction, debate_id)
        async with self.bot.db.transaction() as tx:
            removed = await judges_store.remove_judge(tx, debate.id, member.id)
        if not removed:
            if await judges_store.released(self.bot.db, debate.id):
                raise UserError(f"Debate #{debate.id}'s decision is released: the panel is final.")
            raise UserError(f"{member.mention} does not judge debate #{debate.id}.")
        await interaction.response.send_message(
            f"{member.mention} no longer judges debate #{debate.id} (their ballot, if any, "
            "went with them).",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def judges_list(self, interaction: discord.Interaction, debate_id: int) -> None:
        debate = await self._debate_here(interaction, debate_id)
        panel = await judges_store.judges(self.bot.db, debate.id)
        if not panel:
            raise UserError(
                f"Debate #{debate.id} has no judges: moderators add them with /debate judges add."
            )
        fmt = self.judged_format(debate)
        handed = {b.judge_id for b in await judges_store.ballots(self.bot.db, debate.id, fmt)}
        released = await judges_store.released(self.bot.db, debate.id)
        lines = [f"• <@{j}>: " + ("ballot in" if j in handed else "no ballot yet") for j in panel]
        state = "released" if released else f"{len(handed)} of {len(panel)} ballots in"
        await interaction.response.send_message(
            f"**Judges of debate #{debate.id}** ({state})\n" + "\n".join(lines),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    # ----------------------------------------------------------------- the ballots

    async def open_ballots(self, debate: Debate) -> None:
        """After the last speech: the ballot call in the thread (if the debate has judges)."""
        panel = await judges_store.judges(self.bot.db, debate.id)
        if not panel or debate.thread_id is None:
            return
        if await judges_store.released(self.bot.db, debate.id):
            return
        try:
            await self.bot.get_partial_messageable(debate.thread_id).send(
                ballots_open_text(debate.id, panel),
                view=ballots_view(debate.id),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, roles=False, users=[discord.Object(j) for j in panel]
                ),
            )
        except discord.HTTPException as exc:
            log.warning("could not open the ballots of debate %d: %s", debate.id, exc)

    async def on_judge_control(
        self, interaction: discord.Interaction, debate_id: int, action: str
    ) -> None:
        debate = await self._debate_here(interaction, debate_id)
        if action == "release":
            await ensure_moderator(interaction)
            await self.release_decision(interaction, debate)
            return
        if action != "ballot":
            raise UserError("That button is not in use any more.")
        if not await judges_store.is_judge(self.bot.db, debate.id, interaction.user.id):
            raise UserError(f"Only the judges of debate #{debate.id} have a ballot.")
        if await judges_store.released(self.bot.db, debate.id):
            raise UserError("The decision is released: ballots can no longer change.")
        if debate.state.phase not in BALLOT_PHASES:
            raise UserError("Ballots open after the last speech.")
        fmt = self.judged_format(debate)
        mine = await judges_store.ballot_of(self.bot.db, debate.id, interaction.user.id, fmt)
        await interaction.response.send_modal(BallotModal(self, debate.id, fmt, mine))

    async def on_ballot(
        self, interaction: discord.Interaction, debate_id: int, ranking: str, points: str
    ) -> None:
        debate = await self._debate_here(interaction, debate_id)
        fmt = self.judged_format(debate)
        with refusals(ValueError):  # judging.BallotError: which line, and why
            ballot = judging.make_ballot(fmt, interaction.user.id, ranking, points)
        had = await judges_store.ballot_of(self.bot.db, debate.id, interaction.user.id, fmt)
        async with self.bot.db.transaction() as tx:
            done = await judges_store.submit(tx, debate.id, ballot, fmt, self.bot.now())
        if not done:
            if await judges_store.released(self.bot.db, debate.id):
                raise UserError("The decision was released: your ballot was not counted.")
            raise UserError(f"You no longer judge debate #{debate.id}: the ballot was not counted.")
        verb = "changed" if had else "in"
        await interaction.response.send_message(
            f"Your ballot is {verb}: {ballot_summary(fmt, ballot)}.\nYou can change it (press "
            "**Fill in my ballot** again) until the chair releases the decision.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    # --------------------------------------------------------------- the decision

    async def release_decision(self, interaction: discord.Interaction, debate: Debate) -> None:
        fmt = self.judged_format(debate)
        if debate.state.phase not in BALLOT_PHASES:
            raise UserError("The decision is released after the last speech.")
        panel = await judges_store.judges(self.bot.db, debate.id)
        if not panel:
            raise UserError(f"Debate #{debate.id} has no judges.")
        if not await judges_store.ballots(self.bot.db, debate.id, fmt):
            raise UserError("No judge has handed in a ballot yet: nothing to release.")
        async with self.bot.db.transaction() as tx:
            first = await judges_store.release(tx, debate.id, interaction.user.id, self.bot.now())
        if not first:
            raise UserError(f"Debate #{debate.id}'s decision is already released.")
        # Read after the release committed: no ballot can change any more.
        embed = await self.decision_embed_of(debate)
        assert embed is not None
        await interaction.response.send_message(
            f"Released the decision of debate #{debate.id}.", ephemeral=True
        )
        if debate.thread_id is not None:
            try:
                await self.bot.get_partial_messageable(debate.thread_id).send(
                    embed=embed, allowed_mentions=discord.AllowedMentions.none()
                )
            except discord.HTTPException as exc:
                log.warning("could not post the decision of debate %d: %s", debate.id, exc)

    async def decision_release(self, interaction: discord.Interaction, debate_id: int) -> None:
        await self.release_decision(interaction, await self._debate_here(interaction, debate_id))

    async def panel_decision(self, debate: Debate) -> str | None:
        """The released decision in one line (for the result), or what the panel waits for."""
        panel = await judges_store.judges(self.bot.db, debate.id)
        if not panel:
            return None
        if await judges_store.released(self.bot.db, debate.id) is None:
            return "Not released yet: the chair releases it (**Release decision**)."
        fmt = self.judged_format(debate)
        decision = judging.decide(fmt, await judges_store.ballots(self.bot.db, debate.id, fmt))
        return decision_line(fmt, decision) if decision else None

    async def decision_embed_of(self, debate: Debate) -> discord.Embed | None:
        fmt = self.judged_format(debate)
        ballots = await judges_store.ballots(self.bot.db, debate.id, fmt)
        decision = judging.decide(fmt, ballots)
        if decision is None:
            return None
        panel = await judges_store.judges(self.bot.db, debate.id)
        audience = await self.audience_line(debate)
        return decision_embed(
            debate.id, debate.motion, fmt, decision, ballots, len(panel), audience
        )
