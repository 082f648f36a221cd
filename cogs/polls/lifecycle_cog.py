"""/poll schedule and /poll add-option, reminders and scheduled runs: a poll's lifecycle.

A mixin of the Polls cog (:mod:`cogs.polls.cog` adds :attr:`PollLifecycle.schedule`
and :attr:`PollLifecycle.poll_add_option` to its ``/poll`` group), kept apart so the poll
cog stays small. Timers are the bot's scheduler's (:mod:`bot.timers`, driven by simcord's
virtual clock in tests); what they do is claimed in the database first (see
:mod:`cogs.polls.lifecycle_store`), so a timer armed twice, by a restart or by a second
process, acts once. On start :meth:`PollLifecycle.rearm_lifecycle` posts scheduled polls a
stop left unposted, re-arms reminders and schedules, and runs schedules that fell due while
the bot was down (once: missed repeats are skipped, not caught up).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands

from bot import guild_settings
from bot.checks import is_moderator, moderator_only
from bot.errors import BotMissingPermissions, UserError, refusals
from bot.presentation import AUTOCOMPLETE_MAX, truncate
from bot.timeparse import parse_duration, parse_start
from cogs.polls import (
    eligibility,
    eligibility_store,
    lifecycle,
    lifecycle_store,
    lifecycle_ui,
    polls,
    ranked_ui,
    store,
)
from cogs.polls.base_cog import PollsParts
from cogs.polls.config import OPTION_LIMIT
from cogs.polls.ui import poll_view

if TYPE_CHECKING:
    from bot.db import Transaction

log = logging.getLogger(__name__)


class PollLifecycle(PollsParts):
    """Reminders, schedules and added options: a part of the Polls cog (cogs/polls/base_cog.py)."""

    schedule = app_commands.Group(
        name="schedule", description="Polls that open later, once or every day or week"
    )

    # ------------------------------------------------------------------- timers

    def _arm_at(
        self, key: str, when: datetime, action: Callable[[], Coroutine[Any, Any, None]]
    ) -> None:
        """Run ``action`` at ``when`` (at once if past); re-arming a key replaces its timer."""
        self.bot.scheduler.schedule_at(key, when, action)

    def cancel_reminder(self, poll_id: int) -> None:
        self.bot.scheduler.cancel(f"poll:remind:{poll_id}")

    async def rearm_lifecycle(self) -> None:
        """After a (re)start: finish interrupted runs, re-arm reminders and schedules.

        Only this process's guilds (``bot.owns_guild``, docs/scaling.md): with several
        processes on one database each runs its own shards' timers.
        """
        db = self.bot.db
        for poll_id in await lifecycle_store.unposted_scheduled_polls(db):
            if await self._owns_poll(poll_id):
                log.info("posting scheduled poll %d: a stop came before its post", poll_id)
                await self._post_scheduled(poll_id)
        for poll_id, due in await lifecycle_store.pending_reminders(db):
            if await self._owns_poll(poll_id):
                self._arm_reminder(poll_id, due)
        for schedule in await lifecycle_store.active_schedules(db, None, limit=10_000):
            assert schedule.next_run_at is not None
            if self.bot.owns_guild(schedule.guild_id):
                self._arm_schedule(schedule.id, schedule.next_run_at)

    async def _owns_poll(self, poll_id: int) -> bool:
        poll = await store.get_poll(self.bot.db, poll_id)
        return poll is not None and self.bot.owns_guild(poll.guild_id)

    # ---------------------------------------------------------------- reminders

    async def reminder_lead(
        self, guild_id: int, typed: str | None, length: timedelta
    ) -> timedelta | None:
        """The poll's lead time: as typed, else this server's, else settings.toml's default."""
        server = await guild_settings.get(self.bot.db, guild_id, "poll_reminder_minutes")
        default = server if isinstance(server, int) else self.config.poll_reminder_minutes
        with refusals(ValueError):  # the domain's refusals
            lead, was_typed = lifecycle.parse_reminder(typed, default)
            return lifecycle.reminder_for(lead, length, was_typed)

    @staticmethod
    async def store_reminder(tx: Transaction, poll_id: int, lead: timedelta | None) -> None:
        """Keep the poll's lead time with it (in the transaction that creates the poll)."""
        await lifecycle_store.set_poll_lifecycle(tx, poll_id, remind_before=lead)

    @staticmethod
    def opening_ping(poll: polls.Poll) -> lifecycle_ui.OpeningPing:
        """The role's ping a new poll's message carries (content and allowed_mentions)."""
        return lifecycle_ui.opening_ping(poll)

    def _arm_reminder(self, poll_id: int, due: datetime) -> None:
        self._arm_at(f"poll:remind:{poll_id}", due, lambda: self._remind(poll_id))

    def arm_poll_reminder(self, poll: polls.Poll, lead: timedelta | None) -> None:
        if lead is not None and poll.role_id is not None and poll.closes_at is not None:
            self._arm_reminder(poll.id, poll.closes_at - lead)

    async def _remind(self, poll_id: int) -> None:
        async with self.bot.db.transaction() as tx:
            claimed = await lifecycle_store.claim_reminder(tx, poll_id, self.bot.now())
        if not claimed:
            return  # closed meanwhile, or reminded by an earlier timer
        poll = await store.get_poll(self.bot.db, poll_id)
        if poll is None or poll.role_id is None or poll.closes_at is None:
            return
        try:
            await self.channel_of(poll.channel_id).send(
                lifecycle_ui.reminder_text(poll, poll.closes_at),
                allowed_mentions=lifecycle_ui.role_only(poll.role_id),
            )
        except discord.HTTPException as exc:
            log.warning("could not post the reminder of poll %d: %s", poll_id, exc)

    # ---------------------------------------------------------------- schedules

    def _arm_schedule(self, schedule_id: int, when: datetime) -> None:
        self._arm_at(f"poll:schedule:{schedule_id}", when, lambda: self.run_schedule(schedule_id))

    async def run_schedule(self, schedule_id: int) -> None:
        """Open the schedule's due poll if this call claims the run; arm the next run."""
        schedule = await lifecycle_store.get_schedule(self.bot.db, schedule_id)
        if schedule is None or not schedule.active:
            return
        now = self.bot.now()
        poll_id = None
        async with self.bot.db.transaction() as tx:
            claimed = await lifecycle_store.claim_run(tx, schedule, now)
            if claimed is not None:
                schedule, _ = claimed
                guild = self.bot.get_guild(schedule.guild_id)
                poll_id = await lifecycle_store.open_scheduled_poll(
                    tx, schedule, now, guild.member_count if guild else None
                )
        if poll_id is None:
            # Not due yet (woken early), or claimed elsewhere: follow what the row says now.
            current = await lifecycle_store.get_schedule(self.bot.db, schedule_id)
            if current is not None and current.next_run_at and current.next_run_at > now:
                self._arm_schedule(schedule_id, current.next_run_at)
            return
        if schedule.next_run_at is not None:
            self._arm_schedule(schedule_id, schedule.next_run_at)
        log.info("schedule %d opened poll %d", schedule_id, poll_id)
        await self._post_scheduled(poll_id)

    async def _post_scheduled(self, poll_id: int) -> None:
        poll = await store.get_poll(self.bot.db, poll_id)
        if poll is None or poll.closes_at is None:
            return
        try:
            await self.post_poll(self.channel_of(poll.channel_id), poll_id)
        except (discord.HTTPException, BotMissingPermissions) as exc:
            # Nobody saw it: it goes, so no deadline closes it and posts a result for it
            # (the schedule's next run tries again).
            log.warning("could not post scheduled poll %d, dropped: %s", poll_id, exc)
            await self.discard_unposted(poll_id)
            return
        self.arm_deadline(poll_id, poll.closes_at)
        lead = await self.bot.db.fetchval(
            "SELECT remind_before_s FROM polls WHERE id = ?", (poll_id,)
        )
        self.arm_poll_reminder(poll, timedelta(seconds=int(lead)) if lead else None)

    async def _schedule_motion_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.motion_autocomplete(interaction, current)

    async def _schedule_id_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild is None:
            return []
        typed = current.strip().casefold()
        found = await lifecycle_store.active_schedules(self.bot.db, interaction.guild.id)
        names = [(lifecycle_ui.schedule_choice_name(s), s.id) for s in found]
        return [
            app_commands.Choice(name=name, value=sid)
            for name, sid in names
            if not typed or typed in name.casefold()
        ][:AUTOCOMPLETE_MAX]

    @schedule.command(name="create", description="Schedule a poll to open later, once or repeating")
    @app_commands.describe(
        motion="A preset motion, or your own question",
        start="When it opens: 'in 2h', '2026-12-01 19:00' (UTC) or a Discord timestamp <t:…>",
        repeat="Open it once, or again every day or week (a new poll each time)",
        options="Custom options separated by ';' (2-10), e.g. Yes; No; Not sure",
        duration="How long each poll stays open, e.g. 30m, 2h, 3d (default from settings)",
        live="Show the tally while open (default yes); no: hidden until it closes",
        public="Let moderators export who voted what (default no: anonymous)",
        role="Pinged when each poll opens and before it closes; only it may vote",
        remind="How long before the close the role is reminded, e.g. 1h, or off",
        **eligibility.DESCRIBE,
    )
    # type-var (here and below): discord.py wants app commands' self to be a Cog or a Group;
    # this mixin's self is the Polls cog
    @app_commands.autocomplete(motion=_schedule_motion_autocomplete)  # type: ignore[type-var]
    @moderator_only()
    async def schedule_create(
        self,
        interaction: discord.Interaction,
        motion: app_commands.Range[str, 1, 300],
        start: app_commands.Range[str, 1, 40],
        repeat: Literal["once", "daily", "weekly"] = "once",
        options: str | None = None,
        duration: str | None = None,
        live: bool = True,
        public: bool = False,
        role: discord.Role | None = None,
        remind: str | None = None,
        eligible: str | None = None,
        quorum: str | None = None,
    ) -> None:
        assert interaction.guild is not None and interaction.channel is not None
        rules = self.vote_rules(eligible, quorum)
        question, preset_options = self.resolve_motion(motion)
        chosen = polls.split_options(options) if options else list(preset_options)
        now = self.bot.now()
        with refusals(ValueError):  # the domain's refusals
            question, cleaned = polls.check_new_poll(question, chosen, now, None)
            length = (
                parse_duration(duration)
                if duration
                else timedelta(hours=self.config.poll_default_hours)
            )
            if length > timedelta(days=self.config.poll_max_days):
                raise UserError(f"A poll can stay open at most {self.config.poll_max_days} days.")
            starts_at = parse_start(start, now)
            if starts_at <= now:
                raise UserError("The start must be in the future, e.g. 'in 2h'.")
        lead = await self.reminder_lead(interaction.guild.id, remind, length) if role else None
        with refusals(ValueError):  # the domain's refusals
            async with self.bot.db.transaction() as tx:
                schedule_id = await lifecycle_store.create_schedule(
                    tx,
                    guild_id=interaction.guild.id,
                    channel_id=interaction.channel.id,
                    question=question,
                    options=cleaned,
                    duration=length,
                    anonymous=not public,
                    live=live,
                    role_id=role.id if role else None,
                    remind_before=lead,
                    repeat=repeat,
                    starts_at=starts_at,
                    created_by=interaction.user.id,
                    now=now,
                )
                await eligibility_store.set_schedule_rules(tx, schedule_id, rules)
        self._arm_schedule(schedule_id, starts_at)
        created = await lifecycle_store.get_schedule(self.bot.db, schedule_id)
        assert created is not None
        await interaction.response.send_message(
            lifecycle_ui.scheduled_text(schedule_id, created), ephemeral=True
        )

    @schedule.command(name="list", description="Polls scheduled to open in this server")
    @moderator_only()
    async def schedule_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        found = await lifecycle_store.active_schedules(self.bot.db, interaction.guild.id)
        if not found:
            raise UserError("No polls are scheduled: add one with /poll schedule create.")
        lines = [lifecycle_ui.schedule_line(s) for s in found]
        await interaction.response.send_message(truncate("\n".join(lines), 2000), ephemeral=True)

    @schedule.command(name="cancel", description="Stop a scheduled poll (polls already open stay)")
    @app_commands.describe(schedule_id="The scheduled poll's number")
    @app_commands.rename(schedule_id="schedule")
    @app_commands.autocomplete(schedule_id=_schedule_id_autocomplete)  # type: ignore[type-var]
    @moderator_only()
    async def schedule_cancel(self, interaction: discord.Interaction, schedule_id: int) -> None:
        assert interaction.guild is not None
        async with self.bot.db.transaction() as tx:
            cancelled = await lifecycle_store.cancel_schedule(
                tx, schedule_id, interaction.guild.id, self.bot.now()
            )
        if not cancelled:
            raise UserError(f"There is no scheduled poll #{schedule_id} still to open here.")
        self.bot.scheduler.cancel(f"poll:schedule:{schedule_id}")
        await interaction.response.send_message(
            f"Scheduled poll #{schedule_id} is cancelled: it will not open again.", ephemeral=True
        )

    # ------------------------------------------------------------- add-option

    async def _add_option_poll_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await self.poll_id_autocomplete(interaction, current)

    @app_commands.command(  # type: ignore[type-var]
        name="add-option", description="Add an option to a poll before anyone has voted"
    )
    @app_commands.describe(poll_id="The poll's number", option="The new option")
    @app_commands.rename(poll_id="poll")
    @app_commands.autocomplete(poll_id=_add_option_poll_autocomplete)  # type: ignore[type-var]
    async def poll_add_option(
        self,
        interaction: discord.Interaction,
        poll_id: int,
        option: app_commands.Range[str, 1, OPTION_LIMIT],
    ) -> None:
        poll = await self.guild_poll(interaction, poll_id)
        if poll.created_by != interaction.user.id and not await is_moderator(interaction):
            raise UserError("Only the member who opened this poll or a moderator may add options.")
        hosted = self.hosted.get(poll.kind)
        if hosted is not None:
            raise UserError(hosted.options_fixed)
        with refusals(ValueError):  # the domain's refusals
            async with self.bot.db.transaction() as tx:
                options = await lifecycle_store.add_option(tx, poll_id, option)
        self.open_polls.pop(poll_id, None)  # the cached definition has one option less
        await interaction.response.send_message(
            f"Added **{options[-1]}** to poll #{poll_id}.", ephemeral=True
        )
        await self._redraw_with_options(poll_id, options)

    async def _redraw_with_options(self, poll_id: int, options: tuple[str, ...]) -> None:
        poll = await store.get_poll(self.bot.db, poll_id)
        if poll is None or poll.message_id is None:
            return
        tally = await store.tally(self.bot.db, poll_id)
        message = self.channel_of(poll.channel_id).get_partial_message(poll.message_id)
        try:
            view = (
                poll_view(poll.id, options)
                if poll.ballot_kind == "single"
                else ranked_ui.ballot_view(poll)  # approval's select, ranked's button
            )
            await message.edit(embed=await self.poll_embed(poll, tally), view=view)
        except discord.HTTPException as exc:
            log.warning("could not show the new option of poll %d: %s", poll_id, exc)
