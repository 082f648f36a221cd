"""/poll: motion polls with button votes kept in the database, and /poll quick straw polls.

An adapter over :mod:`cogs.polls.polls` and :mod:`cogs.debate.store`: every write runs in
one ``db.transaction()`` and the member is answered after it committed; Discord is called
outside the transaction (the message id of a posted poll is stored by a second one). Each
poll with a deadline has a timer in the bot's scheduler (:mod:`bot.timers`), re-armed on every
start (a deadline that passed while the bot was offline fires at once). A result is claimed
in the transaction that closes the poll and posted through the scheduler, which retries a
failed post and retakes one whose poster crashed. Live tallies are redrawn by a ``tasks.loop``.
The debate cog uses :meth:`Polls.post_poll` and :meth:`Polls.close_poll` for its votes.
Reminders, ``/poll schedule`` and ``/poll add-option`` live in :mod:`cogs.polls.lifecycle_cog`.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, cast

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import claims
from bot.background import Background
from bot.checks import moderator_only
from bot.errors import UserError, bot_call, refusals, send_permission
from bot.fastlane import Click
from bot.presentation import AUTOCOMPLETE_MAX, CHOICE_NAME_LIMIT, plain, truncate
from bot.timeparse import discord_timestamp, parse_duration
from cogs.polls import (
    ballot_store,
    ballots,
    cards_ui,
    charts,
    eligibility,
    embeds_ui,
    polls,
    quickpoll,
    ranked_ui,
    store,
)
from cogs.polls.ballot_cog import BallotVoting
from cogs.polls.config import MOTION_LIMIT, MOTION_OPTIONS, PollsConfig
from cogs.polls.lifecycle_cog import PollLifecycle
from cogs.polls.service import HostedKind
from cogs.polls.ui import PollRetractButton, PollVoteButton, poll_view
from cogs.polls.writer import BatchedVoteWriter, VoteWriter

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

RESULT_PREFIX = "poll-result:"


def close_key(poll_id: int) -> str:
    """The timer that closes a poll at its deadline (bot/timers.py)."""
    return f"poll:close:{poll_id}"


def result_key(poll_id: int) -> str:
    """The claim on posting a poll's result (bot/claims.py)."""
    return f"{RESULT_PREFIX}{poll_id}"


def _vote_text(poll: polls.Poll, outcome: polls.VoteOutcome) -> str:
    """The private confirmation of a vote (the same words on both paths)."""
    chosen = poll.options[outcome.position]
    if outcome.previous is None:
        text = f"Your vote for **{chosen}** is counted."
    elif outcome.previous == outcome.position:
        text = f"You already voted **{chosen}**: nothing changed."
    else:
        before = poll.options[outcome.previous]
        text = f"You changed your vote from **{before}** to **{chosen}**."
    return text


class Polls(PollLifecycle, BallotVoting, commands.Cog):
    poll = app_commands.Group(
        name="poll", description="Motion polls members can trust", guild_only=True
    )
    poll.add_command(PollLifecycle.schedule)  # /poll schedule create|list|cancel
    poll.add_command(PollLifecycle.poll_add_option)  # /poll add-option

    def __init__(self, bot: Herbot, config: PollsConfig) -> None:
        self.bot = bot
        self.config = config
        # Polls another feature runs (a debate's votes), by kind: how they are shown.
        self.hosted: dict[str, HostedKind] = {}
        self.writer: VoteWriter = BatchedVoteWriter(bot.db)
        self._dirty: set[int] = set()
        # Open polls' definitions (question, options, role...) never change: a click reads
        # them from here. Whether a poll is still open is decided by SQLite on every write.
        # A burst of clicks shares one load (the task), not one query per click.
        self.open_polls: dict[int, asyncio.Task[polls.Poll | None]] = {}
        self._tally_loop = tasks.loop(seconds=self.config.tally_refresh_seconds)(self._redraw_dirty)
        self._background = Background()

    # ------------------------------------------------------------------ lifecycle

    async def cog_load(self) -> None:
        self.bot.components.add(self, PollVoteButton, PollRetractButton)
        self.bot.components.add(self, *ranked_ui.DYNAMIC_ITEMS)  # BallotVoting's
        self.bot.scheduler.claimed(RESULT_PREFIX, self._post_result)
        self.bot.scheduler.on_start(self._rearm)
        self.bot.fastlane.add(PollVoteButton.prefix, self.fast_vote)
        self.bot.fastlane.add(ranked_ui.RankSave.prefix, self.fast_rank_save)

    async def cog_unload(self) -> None:
        self.bot.components.remove(PollVoteButton, PollRetractButton, *ranked_ui.DYNAMIC_ITEMS)
        self.bot.fastlane.remove(PollVoteButton.prefix)
        self.bot.fastlane.remove(ranked_ui.RankSave.prefix)
        self._tally_loop.cancel()
        self._background.cancel_all()
        self.bot.scheduler.cancel_prefix("poll:")

    async def _rearm(self) -> None:
        """After a (re)start: every open poll's deadline timer again (past ones fire at once).

        Only this process's guilds (``bot.owns_guild``): with several processes on one
        database each runs its own shards' timers. Results whose poster stopped are the
        scheduler's sweep's (``claimed(RESULT_PREFIX, ...)``).
        """
        bot = self.bot
        for poll_id, guild_id, closes_at in await store.pending_deadlines_by_guild(bot.db):
            if bot.owns_guild(guild_id):
                self.arm_deadline(poll_id, closes_at)
        await self.rearm_lifecycle()

    # -------------------------------------------------------------- poll plumbing

    def channel_of(self, channel_id: int) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel_id)

    def arm_deadline(self, poll_id: int, closes_at: datetime) -> None:
        self.bot.scheduler.schedule_at(
            close_key(poll_id), closes_at, lambda: self._close_at_deadline(poll_id)
        )

    async def _close_at_deadline(self, poll_id: int) -> None:
        """The deadline timer: raises (and is retried) when the close could not commit."""
        await self.close_poll(poll_id, None)

    def schedule_refresh(self, poll: polls.Poll) -> None:
        """Redraw the public tally now, then at most once per interval while clicks go on.

        The first click after a quiet spell is shown at once (members see their vote land);
        the clicks of the interval it opens are coalesced into one edit at its end, so a burst
        of 200 clicks costs a few message edits, not 200 (inside Discord's edit rate limit).
        The loop is discord.ext.tasks, so simcord drives it with advance_time and tests stay
        deterministic. It runs only while an interval is open: an idle bot has no timer
        ticking (a day of advance_time would otherwise be 43,200 ticks).
        """
        if self._tally_loop.is_running():
            self._dirty.add(poll.id)  # inside an open interval: redrawn at its end
            return
        self._tally_loop.start()  # opens the interval
        self._background.spawn(self._redraw_poll(poll.id), f"herbot-poll-tally-{poll.id}")

    async def _redraw_dirty(self) -> None:
        if self._tally_loop.current_loop == 0:
            return  # the interval's first click was redrawn at once; the rest at its end
        dirty, self._dirty = self._dirty, set()
        for poll_id in sorted(dirty):
            await self._redraw_poll(poll_id)
        if not self._dirty:
            self._tally_loop.stop()  # no await since the check: re-armed by the next click

    async def _redraw_poll(self, poll_id: int) -> None:
        poll = await store.get_poll(self.bot.db, poll_id)
        if poll is None or poll.message_id is None:
            return
        tally = await store.tally(self.bot.db, poll_id)
        message = self.channel_of(poll.channel_id).get_partial_message(poll.message_id)
        embed = await self.poll_embed(poll, tally)
        try:
            if poll.is_open:
                await message.edit(embed=embed)
            else:
                await message.edit(embed=embed, view=None)
        except discord.HTTPException as exc:
            log.warning("could not redraw poll %d: %s", poll_id, exc)

    def host(self, kinds: Sequence[str], hosted: HostedKind) -> None:
        """Show and guard another feature's polls of these kinds as it says (a debate's votes)."""
        for kind in kinds:
            self.hosted[kind] = hosted

    async def poll_embed(self, poll: polls.Poll, tally: polls.Tally) -> discord.Embed:
        hosted = self.hosted.get(poll.kind)
        if hosted is not None:
            embed: discord.Embed = hosted.embed(poll, tally)
            return embed
        if poll.ballot_kind == "single":
            return embeds_ui.poll_embed(poll, tally, self.bot.now())
        return ranked_ui.ballot_poll_embed(poll, await self.ballot_summary(poll), self.bot.now())

    async def close_poll(self, poll_id: int, by: int | None) -> bool:
        """Close once (deadline, moderator or debate); the closing call posts the result.

        The result's post is claimed (bot/claims.py) in the transaction that closes the
        poll, and done through the scheduler (bot/timers.py): a failed post is tried again
        with backoff, and a process that dies before posting leaves a claim whose lease runs
        out for the sweep of the poll's shard to take again: posted once either way.
        """
        self.open_polls.pop(poll_id, None)
        scheduler = self.bot.scheduler
        claim = None
        async with self.bot.db.transaction() as tx:
            closed = await store.close_poll(tx, poll_id, self.bot.now(), by)
            if closed:
                poll = await store.get_poll(tx, poll_id)
                claim = await scheduler.take(
                    tx, result_key(poll_id), poll.guild_id if poll else None
                )
        if not closed:
            return False
        scheduler.cancel(close_key(poll_id))
        self.cancel_reminder(poll_id)
        self._dirty.discard(poll_id)
        await self._redraw_poll(poll_id)
        if claim is not None:
            await scheduler.perform(result_key(poll_id), claim)
        return True

    async def _post_result(self, key: str, claim: claims.Claim) -> int | None:
        """Post the result (or edit what an earlier attempt posted); raises when Discord
        refused, so the scheduler tries again. A debate's vote has no card of its own."""
        poll = await store.get_poll(self.bot.db, int(key.removeprefix(RESULT_PREFIX)))
        if poll is None or poll.kind in self.hosted:
            return None
        if poll.ballot_kind != "single":
            card = await self.ballot_result(poll)
        else:
            tally = await store.tally(self.bot.db, poll.id)
            chart = await self._poll_chart(poll, tally)
            card = {"view": cards_ui.result_card(poll, tally), "file": chart}
        channel = self.channel_of(poll.channel_id)
        if claim.result_id is not None:
            message = channel.get_partial_message(claim.result_id)
            await message.edit(view=card["view"], attachments=[card["file"]])
            return claim.result_id
        posted = await channel.send(**card)
        return posted.id

    async def _poll_chart(self, poll: polls.Poll, tally: polls.Tally) -> discord.File:
        """Drawn in a worker thread: matplotlib would stall the event loop for every member."""
        png = await asyncio.to_thread(charts.poll_chart, poll.question, tally.options, tally.counts)
        return discord.File(io.BytesIO(png), filename=cards_ui.chart_name(poll))

    async def post_poll(self, channel: discord.abc.Messageable, poll_id: int) -> discord.Message:
        """Post the poll's message (outside any transaction), then store its id in one."""
        poll = await store.get_poll(self.bot.db, poll_id)
        assert poll is not None
        tally = await store.tally(self.bot.db, poll_id)
        embed = await self.poll_embed(poll, tally)
        view = (
            poll_view(poll.id, poll.options)
            if poll.ballot_kind == "single"
            else ranked_ui.ballot_view(poll)
        )
        with bot_call(channel, send_permission(channel)):
            message = await channel.send(embed=embed, view=view, **self.opening_ping(poll))
        async with self.bot.db.transaction() as tx:
            await store.set_poll_message(tx, poll.id, message.id)
        return message

    async def discard_unposted(self, poll_id: int) -> None:
        """A poll whose post failed goes: no deadline closes it, no result is posted for it."""
        async with self.bot.db.transaction() as tx:
            await store.discard_unposted(tx, poll_id)

    # ------------------------------------------------------------- button votes

    async def cached_poll(self, poll_id: int) -> polls.Poll | None:
        load = self.open_polls.get(poll_id)
        if load is None:
            load = asyncio.ensure_future(store.get_poll(self.bot.db, poll_id))
            self.open_polls[poll_id] = load
        try:
            poll = await asyncio.shield(load)
        except Exception:
            self.open_polls.pop(poll_id, None)
            raise
        if poll is None or not poll.is_open:
            self.open_polls.pop(poll_id, None)
        return poll

    async def on_vote(self, interaction: discord.Interaction, poll_id: int, position: int) -> None:
        poll = await self.cached_poll(poll_id)
        if poll is not None and position >= len(poll.options):  # an option added since loaded
            self.open_polls.pop(poll_id, None)
            poll = await self.cached_poll(poll_id)
        await self.refuse_unless_may_vote(interaction, poll, "single", position)
        assert poll is not None
        with refusals(ValueError):  # the domain's refusals
            outcome = await self.writer.submit(
                poll_id, interaction.user.id, position, self.bot.now()
            )
        await interaction.response.send_message(_vote_text(poll, outcome), ephemeral=True)
        self.schedule_refresh(poll)  # hidden tallies still show how many have voted

    async def fast_vote(self, click: Click) -> str | None:
        """A vote button's click on the fast lane (bot/fastlane.py): write, then answer.

        Only a poll already loaded is taken here. The one rule (:meth:`lane_may_vote`) answers
        a refused member on the lane, from the click's own payload (no member fetched); a
        poll whose deadline just passed returns None and the DynamicItem path
        (:meth:`on_vote`) takes the click and closes it, so both share one rule set.
        The tally redraw is only marked stale: the tally loop redraws it off the click path.
        """
        fields = PollVoteButton.parse(click.custom_id)  # the button's own spelling
        if fields is None:
            return None
        load = self.open_polls.get(fields["poll_id"])
        if load is None or not load.done() or load.cancelled() or load.exception() is not None:
            return None
        poll = load.result()
        index = fields["position"]
        if not self.lane_may_vote(poll, click, "single", index) or poll is None:
            return None  # the deadline passed: the DynamicItem path closes the poll
        with refusals(ValueError):  # the domain's refusals
            outcome = await self.writer.submit(poll.id, click.user_id, index, self.bot.now())
        self.schedule_refresh(poll)
        return _vote_text(poll, outcome)

    async def refuse_unless_may_vote(
        self,
        interaction: discord.Interaction,
        poll: polls.Poll | None,
        ballot_kind: str,
        option: int | None = None,
    ) -> None:
        """Raise the member's refusal (:func:`cogs.polls.polls.may_vote`) if there is one."""
        user = interaction.user
        voter = eligibility.Voter(
            user_id=user.id,
            role_ids=[r.id for r in getattr(user, "roles", [])],
            joined_at=getattr(user, "joined_at", None),
            pending=bool(getattr(user, "pending", False)),
        )
        refused = polls.may_vote(
            poll, ballot_kind=ballot_kind, voter=voter, now=self.bot.now(), option=option
        )
        if refused is None:
            return
        if refused.closes and poll is not None:
            await self.close_poll(poll.id, None)
        raise UserError(refused.text)

    def lane_may_vote(
        self, poll: polls.Poll | None, click: Click, ballot_kind: str, option: int | None = None
    ) -> bool:
        """The one rule on the fast lane: True when the click may be written; False when the
        deadline has just passed (the ordinary path closes the poll) or the loaded poll does not
        know the click's option; a refused member's
        words are raised (UserError), and the lane answers them privately."""
        if (
            poll is None
            or poll.ballot_kind != ballot_kind
            or (option is not None and not 0 <= option < len(poll.options))
        ):
            return False  # an option added elsewhere since loaded: the ordinary path reloads
        voter = eligibility.Voter(click.user_id, click.role_ids, click.joined_at, click.pending)
        refused = polls.may_vote(
            poll, ballot_kind=ballot_kind, voter=voter, now=self.bot.now(), option=option
        )
        if refused is None:
            return True
        if refused.closes:
            return False
        raise UserError(refused.text)

    async def on_retract(self, interaction: discord.Interaction, poll_id: int) -> None:
        poll = await store.get_poll(self.bot.db, poll_id)
        if poll is None:
            raise UserError("This poll no longer exists.")
        with refusals(ValueError):  # the domain's refusals
            async with self.bot.db.transaction() as tx:
                retract = store.retract if poll.ballot_kind == "single" else ballot_store.retract
                removed = await retract(tx, poll_id, interaction.user.id)
        text = "Your vote is retracted." if removed else "You had not voted in this poll."
        await interaction.response.send_message(text, ephemeral=True)
        if removed:
            self.schedule_refresh(poll)

    # -------------------------------------------------------------- autocomplete

    async def motion_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.casefold().strip()
        found = [m for m in self.config.motions if typed in m.text.casefold() or typed in m.id]
        choices = [
            app_commands.Choice(name=truncate(plain(m.text), CHOICE_NAME_LIMIT), value=m.id)
            for m in found[:AUTOCOMPLETE_MAX]
        ]
        # A question of their own is offered too, so the list is never a dead end (a choice's
        # value holds at most 100 characters; a longer question is sent as typed).
        own = current.strip()
        if own and len(own) <= CHOICE_NAME_LIMIT and not any(m.id == own for m in found):
            name = truncate(f"Your own question: {own}", CHOICE_NAME_LIMIT)
            choices = [*choices[: AUTOCOMPLETE_MAX - 1], app_commands.Choice(name=name, value=own)]
        return choices

    async def poll_id_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild is None:
            return []
        choices = []
        for poll in await store.recent_polls(self.bot.db, interaction.guild.id, AUTOCOMPLETE_MAX):
            name = f"#{poll.id} {'open' if poll.is_open else 'closed'}: {plain(poll.question)}"
            if current.strip() and current.strip().casefold() not in name.casefold():
                continue
            choices.append(
                app_commands.Choice(name=truncate(name, CHOICE_NAME_LIMIT), value=poll.id)
            )
        return choices

    def resolve_motion(self, text: str) -> tuple[str, tuple[str, ...]]:
        preset = self.config.motion(text.strip())
        if preset is not None:
            return preset.text, preset.options
        if not 1 <= len(text.strip()) <= MOTION_LIMIT:  # e.g. only control characters
            raise UserError(
                f"Write the motion in words (1-{MOTION_LIMIT} characters), "
                "or pick a preset from the list."
            )
        return text.strip(), MOTION_OPTIONS

    # -------------------------------------------------------------- /poll commands

    @poll.command(name="create", description="Open a poll on a motion with vote buttons")
    @app_commands.describe(
        motion="A preset motion, or your own question",
        options="Custom options separated by ';' (2-10), e.g. Yes; No; Not sure",
        duration="How long it stays open, e.g. 30m, 2h, 3d (default from settings)",
        live="Show the tally while open (default yes); no: hidden until it closes",
        public="Let moderators export who voted what (default no: anonymous)",
        role="Pinged when it opens and before it closes; only its members may vote",
        remind="How long before the close the role is reminded, e.g. 1h, or off",
        kind="single choice (default), approval (pick several) or ranked (instant runoff)",
        max_choices="Approval polls: how many options a member may approve (default: all)",
        **eligibility.DESCRIBE,
    )
    @app_commands.autocomplete(motion=motion_autocomplete)
    @moderator_only()
    async def poll_create(
        self,
        interaction: discord.Interaction,
        motion: app_commands.Range[str, 1, 300],
        options: str | None = None,
        duration: str | None = None,
        live: bool = True,
        public: bool = False,
        role: discord.Role | None = None,
        remind: str | None = None,
        kind: Literal["single", "approval", "ranked"] = "single",
        max_choices: app_commands.Range[int, 1, 10] | None = None,
        eligible: str | None = None,
        quorum: str | None = None,
    ) -> None:
        assert interaction.guild is not None and interaction.channel is not None
        rules = self.vote_rules(eligible, quorum)
        question, preset_options = self.resolve_motion(motion)
        chosen = polls.split_options(options) if options else list(preset_options)
        now = self.bot.now()
        with refusals(ValueError):  # the domain's refusals
            length = (
                parse_duration(duration)
                if duration
                else timedelta(hours=self.config.poll_default_hours)
            )
            if length > timedelta(days=self.config.poll_max_days):
                raise UserError(f"A poll can stay open at most {self.config.poll_max_days} days.")
            lead = await self.reminder_lead(interaction.guild.id, remind, length) if role else None
            most = ballots.check_kind(kind, max_choices, len(chosen))
            async with self.bot.db.transaction() as tx:  # the poll and its options, or nothing
                poll_id = await store.create_poll(
                    tx,
                    guild_id=interaction.guild.id,
                    channel_id=interaction.channel.id,
                    question=question,
                    options=chosen,
                    created_by=interaction.user.id,
                    now=now,
                    closes_at=now + length,
                    anonymous=not public,
                    live=live,
                    role_id=role.id if role else None,
                    eligibility=rules.for_poll(now, interaction.guild.member_count),
                )
                await self.store_reminder(tx, poll_id, lead)
                if kind != "single":
                    await ballot_store.set_kind(tx, poll_id, kind, most)
        try:  # posted first, armed after: a refused post leaves no poll behind
            message = await self.post_poll(
                cast(discord.abc.Messageable, interaction.channel), poll_id
            )
        except BaseException:
            await self.discard_unposted(poll_id)
            raise
        self.arm_deadline(poll_id, now + length)
        if role is not None and lead is not None:
            self._arm_reminder(poll_id, now + length - lead)
        await interaction.response.send_message(
            f"Poll #{poll_id} is open until {discord_timestamp(now + length, 'f')}: "
            f"{message.jump_url}",
            ephemeral=True,
        )

    def vote_rules(self, eligible: str | None, quorum: str | None) -> eligibility.Rules:
        """The ``eligible:`` and ``quorum:`` options every vote-opening command shares."""
        with refusals(ValueError):  # the domain's refusals
            return eligibility.parse_rules(eligible, quorum)

    async def guild_poll(self, interaction: discord.Interaction, poll_id: int) -> polls.Poll:
        assert interaction.guild is not None
        with refusals(ValueError):  # the domain's refusals
            return await store.require_poll(self.bot.db, poll_id, interaction.guild.id)

    async def _require_tally_shown(self, poll: polls.Poll) -> None:
        """Hidden tallies stay hidden from everyone, moderators included, until they are out.

        A hidden poll's until it closes; a debate vote's until the debate's result is posted
        (the pre-debate vote closes when the debate starts, long before the result).
        """
        hosted = self.hosted.get(poll.kind)
        if hosted is None:
            if poll.is_open and not poll.live:
                votes = (await store.tally(self.bot.db, poll.id)).total
                raise UserError(
                    f"The tally of poll #{poll.id} is hidden until it closes "
                    f"({embeds_ui.turnout(votes)})."
                )
        elif not await hosted.published(self.bot.db, poll.id):
            raise UserError(f"Poll #{poll.id} {hosted.hidden}.")

    @poll.command(name="close", description="Close a poll now and post its result")
    @app_commands.describe(poll_id="The poll's number")
    @app_commands.rename(poll_id="poll")
    @app_commands.autocomplete(poll_id=poll_id_autocomplete)
    @moderator_only()
    async def poll_close(self, interaction: discord.Interaction, poll_id: int) -> None:
        poll = await self.guild_poll(interaction, poll_id)
        hosted = self.hosted.get(poll.kind)
        if hosted is not None:
            raise UserError(hosted.closes)
        if not await self.close_poll(poll_id, interaction.user.id):
            raise UserError(f"Poll #{poll_id} is already closed.")
        await interaction.response.send_message(f"Poll #{poll_id} is closed.", ephemeral=True)

    @poll.command(name="results", description="Show a poll's counts and chart")
    @app_commands.describe(poll_id="The poll's number")
    @app_commands.rename(poll_id="poll")
    @app_commands.autocomplete(poll_id=poll_id_autocomplete)
    async def poll_results(self, interaction: discord.Interaction, poll_id: int) -> None:
        poll = await self.guild_poll(interaction, poll_id)
        await self._require_tally_shown(poll)
        if poll.ballot_kind != "single":
            await interaction.response.send_message(
                **await self.ballot_result(poll), ephemeral=True
            )
            return
        tally = await store.tally(self.bot.db, poll_id)
        await interaction.response.send_message(
            view=cards_ui.result_card(poll, tally),
            file=await self._poll_chart(poll, tally),
            ephemeral=True,
        )

    @poll.command(name="export", description="Export a poll's result as CSV or JSON")
    @app_commands.describe(poll_id="The poll's number", format="File format")
    @app_commands.rename(poll_id="poll")
    @app_commands.autocomplete(poll_id=poll_id_autocomplete)
    @moderator_only()
    async def poll_export(
        self,
        interaction: discord.Interaction,
        poll_id: int,
        format: Literal["csv", "json"] = "csv",
    ) -> None:
        poll = await self.guild_poll(interaction, poll_id)
        await self._require_tally_shown(poll)
        tally = await store.tally(self.bot.db, poll_id)
        voters = None if poll.anonymous else await store.ballots(self.bot.db, poll_id)
        data = polls.export_data(poll, tally, voters)
        text = polls.export_csv(data) if format == "csv" else polls.export_json(data)
        what = "counts only (anonymous poll)" if poll.anonymous else "counts and each vote"
        if poll.ballot_kind != "single":  # every ballot, member ids only if public
            data = await self.ballot_export(poll)
            text = ballots.export_csv(data) if format == "csv" else polls.export_json(data)
            what = "every ballot" + (", without member ids" if poll.anonymous else " and its voter")
        await interaction.response.send_message(
            f"Poll #{poll_id}: {what}.",
            file=discord.File(io.BytesIO(text.encode()), filename=f"poll-{poll_id}.{format}"),
            ephemeral=True,
        )

    @poll.command(name="list", description="The server's recent polls")
    async def poll_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        found = await store.recent_polls(self.bot.db, interaction.guild.id, 10)
        if not found:
            raise UserError("No polls yet: moderators open one with /poll create.")
        lines = [
            f"**#{p.id}** {'open' if p.is_open else 'closed'} — {truncate(p.question, 120)}"
            for p in found
        ]
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @poll.command(name="quick", description="A simple straw poll (Discord's native poll)")
    @app_commands.describe(
        question="Up to 300 characters",
        answers="Up to 10 answers separated by ';', each up to 55 characters",
        hours="How long it runs, in whole hours (1-768, i.e. up to 32 days)",
        multiple="Allow choosing several answers",
    )
    async def poll_quick(
        self,
        interaction: discord.Interaction,
        question: str,
        answers: str,
        hours: int = 24,
        multiple: bool = False,
    ) -> None:
        with refusals(ValueError):  # the domain's refusals
            checked = quickpoll.validate(question, polls.split_options(answers), hours)
        native = discord.Poll(
            question=checked.question,
            duration=timedelta(hours=checked.hours),
            multiple=multiple,
        )
        for answer in checked.answers:
            native.add_answer(text=answer)
        with bot_call(interaction.channel, "send_polls"):
            await interaction.response.send_message(poll=native)
