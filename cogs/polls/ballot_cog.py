"""Approval and ranked-choice voting for the Polls cog (a mixin, so poll_cog.py stays small).

The components are :mod:`cogs.polls.ranked_ui`'s; the cog is their handler, so clicks land here.
Each ballot is an upsert on the key ``(poll_id, user_id)`` that lands only while the poll is
open (``ballot_store.cast``), written by :class:`~cogs.polls.ballot_writer.BallotWriter`
(ballots arriving together share a commit); the member is answered privately after it
committed. Results: approval counts, or the instant-runoff of
:mod:`cogs.polls.irv` with its rounds table and chart (drawn in a worker thread).
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserError, refusals
from bot.fastlane import Click, Replace
from cogs.polls import ballot_store, ballots, charts, irv, ranked_chart, ranked_ui
from cogs.polls.ballot_writer import BallotWriter
from cogs.polls.base_cog import PollsParts
from cogs.polls.polls import Poll, PollError
from cogs.polls.ranked_ui import RankSave

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


class BallotVoting(PollsParts):
    """Approval and ranked ballots: a part of the Polls cog (cogs/polls/base_cog.py)."""

    @property
    def ballot_writer(self) -> BallotWriter:
        """Ballots share commits in a burst (one writer per cog, made on first use)."""
        writer: BallotWriter | None = getattr(self, "_ballot_writer", None)
        if writer is None:
            writer = self._ballot_writer = BallotWriter(self.bot.db)
        return writer

    # ------------------------------------------------------------------ checks

    async def _ballot_poll(self, interaction: discord.Interaction, poll_id: int, kind: str) -> Poll:
        """The open poll of that kind this member may vote in; UserError otherwise."""
        poll = await self.cached_poll(poll_id)
        await self.refuse_unless_may_vote(interaction, poll, kind)
        assert poll is not None
        return poll

    async def _cast(
        self, interaction: discord.Interaction, poll: Poll, choices: tuple[int, ...]
    ) -> str:
        with refusals(ValueError):  # the domain's refusals
            checked = ballots.check_ballot(poll, choices)
            previous = await self.ballot_writer.cast(
                poll.id, interaction.user.id, checked, self.bot.now()
            )
        self.schedule_refresh(poll)
        return _ballot_text(poll, checked, previous)

    async def fast_rank_save(self, click: Click) -> str | None:
        """A ranking's "Submit" on the fast lane (bot/fastlane.py), as ``fast_vote`` for votes.

        Only a poll already loaded: a member the one rule refuses hears it here
        (:meth:`lane_may_vote`); a deadline just passed or an invalid ranking returns None and
        the DynamicItem (:meth:`on_rank_save`) takes the click: one set of rules.
        """
        fields = RankSave.parse(click.custom_id)  # the button's own spelling
        if fields is None:
            return None
        load = self.open_polls.get(fields["poll_id"])
        if load is None or not load.done() or load.cancelled() or load.exception() is not None:
            return None
        poll = load.result()
        if not self.lane_may_vote(poll, click, "ranked") or poll is None:
            return None  # the deadline passed: the DynamicItem path closes the poll
        try:
            checked = ballots.check_ballot(poll, fields["ranking"])
        except PollError:
            return None  # the ordinary path words it
        with refusals(ValueError):  # the domain's refusals
            previous = await self.ballot_writer.cast(
                poll.id, click.user_id, checked, self.bot.now()
            )
        self.schedule_refresh(poll)
        return Replace(_ballot_text(poll, checked, previous))

    # ---------------------------------------------------------------- callbacks

    async def on_approve(
        self, interaction: discord.Interaction, poll_id: int, values: list[str]
    ) -> None:
        poll = await self._ballot_poll(interaction, poll_id, "approval")
        if not all(v.isascii() and v.isdigit() for v in values):
            raise UserError("That selection is not valid for this poll: pick from its options.")
        text = await self._cast(interaction, poll, tuple(int(v) for v in values))
        await interaction.response.send_message(text, ephemeral=True)

    async def on_rank_open(self, interaction: discord.Interaction, poll_id: int) -> None:
        poll = await self._ballot_poll(interaction, poll_id, "ranked")
        current = await ballot_store.current(self.bot.db, poll_id, interaction.user.id)
        view = ranked_ui.builder_view(poll, ())
        await interaction.response.send_message(
            ranked_ui.builder_text(poll, (), current), view=view, ephemeral=True
        )
        # discord.py gives an ephemeral view a 15-minute timeout task; this one needs none (its
        # buttons are DynamicItems, routed by custom_id), and a burst of members opening the
        # builder would otherwise leave one sleeping task each. Stopping it only drops that
        # bookkeeping: a fully dynamic view has no per-message entry in the view store.
        view.stop()

    async def on_rank_pick(
        self, interaction: discord.Interaction, poll_id: int, ranking: tuple[int, ...]
    ) -> None:
        poll = await self._ballot_poll(interaction, poll_id, "ranked")
        with refusals(ValueError):  # the domain's refusals
            if ranking:
                ballots.check_ballot(poll, ranking)
        current = await ballot_store.current(self.bot.db, poll_id, interaction.user.id)
        await interaction.response.edit_message(
            content=ranked_ui.builder_text(poll, ranking, current),
            view=ranked_ui.builder_view(poll, ranking),
        )

    async def on_rank_save(
        self, interaction: discord.Interaction, poll_id: int, ranking: tuple[int, ...]
    ) -> None:
        poll = await self._ballot_poll(interaction, poll_id, "ranked")
        text = await self._cast(interaction, poll, ranking)
        await interaction.response.edit_message(content=text, view=None)

    # ------------------------------------------------------------------ results

    async def ballot_summary(self, poll: Poll) -> ballots.Summary:
        found = await ballot_store.ballots(self.bot.db, poll.id)
        return ballots.summary(poll, list(found.values()))

    async def ballot_result(self, poll: Poll) -> dict[str, Any]:
        """The result card and its chart (as ``send`` keywords) of an approval or ranked poll."""
        voters = await ballot_store.ballots(self.bot.db, poll.id)
        name = ranked_ui.chart_name(poll)
        if poll.ballot_kind == "ranked":
            result = irv.count(len(poll.options), [c for _, c in ballots.ordered(voters)])
            png = await asyncio.to_thread(
                ranked_chart.rounds_chart, poll.question, poll.options, result
            )
            view = ranked_ui.ranked_result_card(poll, result)
        else:
            found = ballots.summary(poll, list(voters.values()))
            png = await asyncio.to_thread(
                charts.poll_chart, poll.question, found.options, found.counts
            )
            view = ranked_ui.approval_result_card(poll, found)
        return {"view": view, "file": discord.File(io.BytesIO(png), filename=name)}

    async def ballot_export(self, poll: Poll) -> dict[str, Any]:
        return ballots.export_data(poll, await ballot_store.ballots(self.bot.db, poll.id))


def _ballot_text(poll: Poll, checked: tuple[int, ...], previous: tuple[int, ...] | None) -> str:
    now = ballots.describe(poll, checked)
    if previous is None:
        return f"Your ballot is counted: {now}."
    if previous == checked:
        return f"Your ballot was already {now}: nothing changed."
    return f"You changed your ballot from {ballots.describe(poll, previous)} to {now}."
