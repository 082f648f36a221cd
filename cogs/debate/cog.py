"""/poll and /debate: motion polls with button votes, and moderated Oxford-style debates.

The cog is an adapter: it reads interactions, calls the domain modules (polls, debates,
machine, swing, charts) and formats replies. Timers are asyncio tasks that sleep until a
deadline stored in SQLite; ``cog_load`` re-arms them, closes polls whose deadline passed
while the bot was offline and posts a speech's missed end-of-time notice once.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import Coroutine, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import guild_settings
from bot.checks import ensure_moderator, moderator_only
from bot.errors import UserError
from bot.presentation import AUTOCOMPLETE_MAX, CHOICE_NAME_LIMIT, truncate
from cogs.debate import charts, debates, machine, polls, quickpoll, render, swing
from cogs.debate.debates import Debate, DebateError
from cogs.debate.motions import DEBATE_OPTIONS, DebateConfig, load_config
from cogs.debate.polls import PollError
from cogs.debate.timeparse import parse_duration, parse_start
from cogs.debate.views import (
    MODERATOR_ACTIONS,
    DebateControl,
    PollRetractButton,
    PollVoteButton,
    QuestionModal,
    panel_view,
    poll_view,
)
from cogs.debate.writer import BatchedVoteWriter, DirectVoteWriter, VoteWriter

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

THREAD_OPENED_EVENT = "herbot_debate_thread_opened"


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Domain refusals become the ephemeral answer a member reads."""
    try:
        yield
    except (PollError, DebateError, machine.TransitionError, ValueError) as exc:
        raise UserError(str(exc)) from exc


def _options(text: str) -> list[str]:
    sep = ";" if ";" in text else "|" if "|" in text else ","
    return [part.strip() for part in text.split(sep) if part.strip()]


class DebateCog(commands.Cog):
    poll = app_commands.Group(
        name="poll", description="Motion polls members can trust", guild_only=True
    )
    debate = app_commands.Group(
        name="debate", description="Moderated Oxford-style debates", guild_only=True
    )

    def __init__(self, bot: Herbot, config: DebateConfig | None = None) -> None:
        self.bot = bot
        self.config = config or load_config(bot.settings.section("debate"), bot.settings.path)
        batched = bool(bot.settings.section("debate").get("batch_votes", True))
        self.writer: VoteWriter = BatchedVoteWriter(bot.db) if batched else DirectVoteWriter(bot.db)
        self._poll_timers: dict[int, asyncio.Task[None]] = {}
        self._debate_timers: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()
        # Open polls' definitions (question, options, role...) never change: a click reads
        # them from here. Whether a poll is still open is decided by SQLite on every write.
        # A burst of clicks shares one load (the task), not one query per click.
        self._open_polls: dict[int, asyncio.Task[polls.Poll | None]] = {}
        self._tally_loop = tasks.loop(seconds=self.config.tally_refresh_seconds)(self._redraw_dirty)
        self._tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ lifecycle

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PollVoteButton, PollRetractButton, DebateControl)
        self.bot.privacy_hooks.forgetters["votes in open polls and debate queues"] = self._forget
        self._spawn(self._rearm(), "herbot-debate-rearm")
        self._tally_loop.start()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PollVoteButton, PollRetractButton, DebateControl)
        self.bot.privacy_hooks.forgetters.pop("votes in open polls and debate queues", None)
        self._tally_loop.cancel()
        for task in [*self._poll_timers.values(), *self._debate_timers.values(), *self._tasks]:
            task.cancel()

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(self._logged(coro, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @staticmethod
    async def _logged(coro: Coroutine[Any, Any, Any], name: str) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background task %s failed", name)

    async def _rearm(self) -> None:
        """After a (re)start: close overdue polls, re-arm the rest and every live timer."""
        db, now = self.bot.db, self.bot.now()
        for poll_id in await polls.overdue(db, now):
            log.info("closing poll %d: its deadline passed while the bot was offline", poll_id)
            await self.close_poll(poll_id, None)
        for poll_id, closes_at in await polls.pending_deadlines(db):
            self._arm_poll(poll_id, closes_at)
        for debate in await debates.live(db):
            self._arm_debate(debate.id, restarted=True)

    async def _forget(self, db: Any, user_id: int) -> int:
        """Privacy "forget me": votes in polls still open and waiting queue places.

        Votes of closed polls are already only counts in results and stay, anonymously.
        """
        cur = await db.execute(
            "DELETE FROM poll_votes WHERE user_id = ? AND poll_id IN"
            " (SELECT id FROM polls WHERE closed_at IS NULL)",
            (user_id,),
        )
        removed = cur.rowcount
        cur = await db.execute(
            "DELETE FROM debate_queue WHERE user_id = ? AND called_at IS NULL", (user_id,)
        )
        await db.commit()
        return removed + cur.rowcount

    # -------------------------------------------------------------- poll plumbing

    def _channel(self, channel_id: int) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel_id)

    def _arm_poll(self, poll_id: int, closes_at: datetime) -> None:
        old = self._poll_timers.pop(poll_id, None)
        if old is not None:
            old.cancel()

        async def wait_and_close() -> None:
            await discord.utils.sleep_until(closes_at)
            self._poll_timers.pop(poll_id, None)
            await self.close_poll(poll_id, None)

        self._poll_timers[poll_id] = self._spawn(wait_and_close(), f"herbot-poll-{poll_id}")

    def _schedule_refresh(self, poll: polls.Poll) -> None:
        """Mark the poll's public tally stale; the tally loop redraws it once per interval.

        A burst of 200 clicks therefore costs one message edit, not 200 (and stays inside
        Discord's edit rate limit). The loop is discord.ext.tasks, so simcord drives it with
        advance_time and tests stay deterministic.
        """
        self._dirty.add(poll.id)

    async def _redraw_dirty(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for poll_id in sorted(dirty):
            await self._redraw_poll(poll_id)

    async def _redraw_poll(self, poll_id: int) -> None:
        poll = await polls.get_poll(self.bot.db, poll_id)
        if poll is None or poll.message_id is None:
            return
        tally = await polls.tally(self.bot.db, poll_id)
        message = self._channel(poll.channel_id).get_partial_message(poll.message_id)
        if poll.kind == "poll":
            embed = render.poll_embed(poll, tally, self.bot.now())
        else:
            when = "pre" if poll.kind == "debate_pre" else "post"
            embed = render.debate_vote_embed(poll, tally, when)
        try:
            if poll.is_open:
                await message.edit(embed=embed)
            else:
                await message.edit(embed=embed, view=None)
        except discord.HTTPException as exc:
            log.warning("could not redraw poll %d: %s", poll_id, exc)

    async def close_poll(self, poll_id: int, by: int | None) -> bool:
        """Close once (deadline, moderator or debate); the closing call posts the result."""
        self._open_polls.pop(poll_id, None)
        if not await polls.close(self.bot.db, poll_id, self.bot.now(), by):
            return False
        timer = self._poll_timers.pop(poll_id, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
        self._dirty.discard(poll_id)
        await self._redraw_poll(poll_id)
        poll = await polls.get_poll(self.bot.db, poll_id)
        if poll is not None and poll.kind == "poll":
            tally = await polls.tally(self.bot.db, poll_id)
            try:
                await self._channel(poll.channel_id).send(
                    embed=render.result_embed(poll, tally), file=self._poll_chart(poll, tally)
                )
            except discord.HTTPException as exc:
                log.warning("could not post the result of poll %d: %s", poll_id, exc)
        return True

    def _poll_chart(self, poll: polls.Poll, tally: polls.Tally) -> discord.File:
        png = charts.poll_chart(poll.question, tally.options, tally.counts)
        return discord.File(io.BytesIO(png), filename=f"poll-{poll.id}.png")

    async def _post_poll(self, channel: discord.abc.Messageable, poll_id: int) -> discord.Message:
        poll = await polls.get_poll(self.bot.db, poll_id)
        assert poll is not None
        tally = await polls.tally(self.bot.db, poll_id)
        if poll.kind == "poll":
            embed = render.poll_embed(poll, tally, self.bot.now())
        else:
            embed = render.debate_vote_embed(
                poll, tally, "pre" if poll.kind == "debate_pre" else "post"
            )
        message = await channel.send(embed=embed, view=poll_view(poll.id, poll.options))
        await polls.set_message(self.bot.db, poll.id, message.id)
        return message

    # ------------------------------------------------------------- button votes

    async def _cached_poll(self, poll_id: int) -> polls.Poll | None:
        load = self._open_polls.get(poll_id)
        if load is None:
            load = asyncio.ensure_future(polls.get_poll(self.bot.db, poll_id))
            self._open_polls[poll_id] = load
        try:
            poll = await asyncio.shield(load)
        except Exception:
            self._open_polls.pop(poll_id, None)
            raise
        if poll is None or not poll.is_open:
            self._open_polls.pop(poll_id, None)
        return poll

    async def on_vote(self, interaction: discord.Interaction, poll_id: int, position: int) -> None:
        poll = await self._cached_poll(poll_id)
        if poll is None or position >= len(poll.options):
            raise UserError("This poll no longer exists.")
        if not poll.is_open:
            raise UserError("This poll is closed: your vote was not counted.")
        if poll.closes_at is not None and self.bot.now() >= poll.closes_at:
            await self.close_poll(poll_id, None)
            raise UserError("This poll has just closed: your vote was not counted.")
        if poll.role_id is not None:
            roles = getattr(interaction.user, "roles", [])
            if not any(r.id == poll.role_id for r in roles):
                raise UserError(f"Only members with the <@&{poll.role_id}> role may vote here.")
        with user_errors():
            outcome = await self.writer.submit(
                poll_id, interaction.user.id, position, self.bot.now()
            )
        chosen = poll.options[position]
        if outcome.previous is None:
            text = f"Your vote for **{chosen}** is counted."
        elif outcome.previous == position:
            text = f"You already voted **{chosen}**: nothing changed."
        else:
            before = poll.options[outcome.previous]
            text = f"You changed your vote from **{before}** to **{chosen}**."
        text += " Only you can see this."
        await interaction.response.send_message(text, ephemeral=True)
        self._schedule_refresh(poll)  # hidden tallies still show how many have voted

    async def on_retract(self, interaction: discord.Interaction, poll_id: int) -> None:
        poll = await polls.get_poll(self.bot.db, poll_id)
        if poll is None:
            raise UserError("This poll no longer exists.")
        with user_errors():
            removed = await polls.retract(self.bot.db, poll_id, interaction.user.id)
        text = (
            "Your vote is retracted." if removed else "You had not voted in this poll."
        ) + " Only you can see this."
        await interaction.response.send_message(text, ephemeral=True)
        if removed:
            self._schedule_refresh(poll)

    # -------------------------------------------------------------- autocomplete

    async def motion_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.casefold().strip()
        found = [m for m in self.config.motions if typed in m.text.casefold() or typed in m.id]
        return [
            app_commands.Choice(name=truncate(m.text, CHOICE_NAME_LIMIT), value=m.id)
            for m in found[:AUTOCOMPLETE_MAX]
        ]

    async def poll_id_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild is None:
            return []
        choices = []
        for poll in await polls.recent(self.bot.db, interaction.guild.id, AUTOCOMPLETE_MAX):
            name = f"#{poll.id} {'open' if poll.is_open else 'closed'}: {poll.question}"
            if current.strip() and current.strip() not in name:
                continue
            choices.append(
                app_commands.Choice(name=truncate(name, CHOICE_NAME_LIMIT), value=poll.id)
            )
        return choices

    async def debate_id_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild is None:
            return []
        found = await debates.history(self.bot.db, interaction.guild.id, AUTOCOMPLETE_MAX)
        return [
            app_commands.Choice(
                name=truncate(f"#{d.id}: {d.motion}", CHOICE_NAME_LIMIT), value=d.id
            )
            for d in found
            if not current.strip() or current.strip() in f"#{d.id}: {d.motion}"
        ]

    def _motion(self, text: str) -> tuple[str, tuple[str, ...]]:
        preset = self.config.motion(text.strip())
        if preset is not None:
            return preset.text, preset.options
        return text.strip(), DEBATE_OPTIONS

    # -------------------------------------------------------------- /poll commands

    @poll.command(name="create", description="Open a poll on a motion with vote buttons")
    @app_commands.describe(
        motion="A preset motion, or your own question",
        options="Custom options separated by ';' (2-10), e.g. Yes; No; Not sure",
        duration="How long it stays open, e.g. 30m, 2h, 3d (default from settings)",
        live="Show the tally while open (default yes); no: hidden until it closes",
        public="Let moderators export who voted what (default no: anonymous)",
        role="Only members with this role may vote",
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
    ) -> None:
        assert interaction.guild is not None and interaction.channel is not None
        question, preset_options = self._motion(motion)
        chosen = _options(options) if options else list(preset_options)
        now = self.bot.now()
        with user_errors():
            length = (
                parse_duration(duration)
                if duration
                else timedelta(hours=self.config.poll_default_hours)
            )
            if length > timedelta(days=self.config.poll_max_days):
                raise UserError(f"A poll can stay open at most {self.config.poll_max_days} days.")
            poll_id = await polls.create_poll(
                self.bot.db,
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
            )
        message = await self._post_poll(interaction.channel, poll_id)  # type: ignore[arg-type]
        self._arm_poll(poll_id, now + length)
        await interaction.response.send_message(
            f"Poll #{poll_id} is open until {render.ts(now + length, 'f')}: {message.jump_url}",
            ephemeral=True,
        )

    async def _guild_poll(self, interaction: discord.Interaction, poll_id: int) -> polls.Poll:
        assert interaction.guild is not None
        with user_errors():
            return await polls.require_poll(self.bot.db, poll_id, interaction.guild.id)

    @poll.command(name="close", description="Close a poll now and post its result")
    @app_commands.describe(poll_id="The poll's number")
    @app_commands.rename(poll_id="poll")
    @app_commands.autocomplete(poll_id=poll_id_autocomplete)
    @moderator_only()
    async def poll_close(self, interaction: discord.Interaction, poll_id: int) -> None:
        poll = await self._guild_poll(interaction, poll_id)
        if poll.kind != "poll":
            raise UserError(
                "This is a debate vote: it closes when the moderator advances the debate."
            )
        if not await self.close_poll(poll_id, interaction.user.id):
            raise UserError(f"Poll #{poll_id} is already closed.")
        await interaction.response.send_message(f"Poll #{poll_id} is closed.", ephemeral=True)

    @poll.command(name="results", description="Show a poll's counts and chart")
    @app_commands.describe(poll_id="The poll's number")
    @app_commands.rename(poll_id="poll")
    @app_commands.autocomplete(poll_id=poll_id_autocomplete)
    async def poll_results(self, interaction: discord.Interaction, poll_id: int) -> None:
        poll = await self._guild_poll(interaction, poll_id)
        if poll.is_open and (not poll.live or poll.kind != "poll"):
            raise UserError(f"The tally of poll #{poll_id} is hidden until it closes.")
        tally = await polls.tally(self.bot.db, poll_id)
        await interaction.response.send_message(
            embed=render.result_embed(poll, tally),
            file=self._poll_chart(poll, tally),
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
        poll = await self._guild_poll(interaction, poll_id)
        tally = await polls.tally(self.bot.db, poll_id)
        voters = None if poll.anonymous else await polls.ballots(self.bot.db, poll_id)
        data = polls.export_data(poll, tally, voters)
        text = polls.export_csv(data) if format == "csv" else polls.export_json(data)
        what = "counts only (anonymous poll)" if poll.anonymous else "counts and each vote"
        await interaction.response.send_message(
            f"Poll #{poll_id}: {what}.",
            file=discord.File(io.BytesIO(text.encode()), filename=f"poll-{poll_id}.{format}"),
            ephemeral=True,
        )

    @poll.command(name="list", description="The server's recent polls")
    async def poll_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        found = await polls.recent(self.bot.db, interaction.guild.id, 10)
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
        with user_errors():
            checked = quickpoll.validate(question, _options(answers), hours)
        native = discord.Poll(
            question=checked.question,
            duration=timedelta(hours=checked.hours),
            multiple=multiple,
        )
        for answer in checked.answers:
            native.add_answer(text=answer)
        await interaction.response.send_message(poll=native)

    # ------------------------------------------------------------ debate commands

    async def _debate_channel(self, interaction: discord.Interaction) -> discord.TextChannel:
        assert interaction.guild is not None
        configured = await guild_settings.get(
            self.bot.db, interaction.guild.id, "debate_channel_id"
        )
        channel: Any = None
        if isinstance(configured, int):
            channel = interaction.guild.get_channel(configured)
        if channel is None:
            channel = interaction.channel
            if isinstance(channel, discord.Thread):
                channel = channel.parent
        if not isinstance(channel, discord.TextChannel):
            raise UserError(
                "Start debates in a text channel (or set debate_channel_id with /settings set)."
            )
        return channel

    @debate.command(name="start", description="Open a debate thread with its pre-debate vote")
    @app_commands.describe(motion="A preset motion, or your own")
    @app_commands.autocomplete(motion=motion_autocomplete)
    @moderator_only()
    async def debate_start(
        self, interaction: discord.Interaction, motion: app_commands.Range[str, 1, 300]
    ) -> None:
        assert interaction.guild is not None
        text, _ = self._motion(motion)
        channel = await self._debate_channel(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.now()
        debate_id = await debates.create(
            self.bot.db,
            guild_id=interaction.guild.id,
            channel_id=channel.id,
            motion=text,
            moderator_id=interaction.user.id,
            now=now,
        )
        starter = await channel.send(
            f"**Debate #{debate_id}** is open: {text}\n"
            "Vote before it starts, in the thread. The side that moves the room wins."
        )
        thread = await starter.create_thread(name=truncate(f"Debate #{debate_id}: {text}", 100))
        await debates.attach(self.bot.db, debate_id, thread_id=thread.id)
        debate = await debates.require(self.bot.db, debate_id, None)
        panel = await thread.send(
            embed=render.panel_embed(debate, [], [], now),
            view=panel_view(debate_id, paused=False, extend_seconds=self.config.extend_seconds),
        )
        await debates.attach(self.bot.db, debate_id, panel_message_id=panel.id)
        pre_id = await polls.create_poll(
            self.bot.db,
            guild_id=interaction.guild.id,
            channel_id=thread.id,
            question=text,
            options=DEBATE_OPTIONS,
            created_by=interaction.user.id,
            now=now,
            live=False,
            kind="debate_pre",
        )
        await debates.attach(self.bot.db, debate_id, pre_poll_id=pre_id)
        await self._post_poll(thread, pre_id)
        # Hook for thread recording (another feature): it listens to this event.
        self.bot.dispatch(THREAD_OPENED_EVENT, thread, debate_id)
        await interaction.followup.send(
            f"Debate #{debate_id} is open in {thread.mention}. The pre-debate vote is live; "
            "press **Next phase** on the panel to start the opening statements.",
            ephemeral=True,
        )

    @debate.command(name="schedule", description="Announce a debate as a Discord scheduled event")
    @app_commands.describe(
        motion="A preset motion, or your own",
        start="When: 'in 2h' or '2026-12-01 19:00' (UTC)",
        duration="How long, e.g. 90m (default 1h)",
    )
    @app_commands.autocomplete(motion=motion_autocomplete)
    @moderator_only()
    async def debate_schedule(
        self,
        interaction: discord.Interaction,
        motion: app_commands.Range[str, 1, 300],
        start: str,
        duration: str = "1h",
    ) -> None:
        assert interaction.guild is not None
        text, _ = self._motion(motion)
        now = self.bot.now()
        with user_errors():
            starts = parse_start(start, now)
            length = parse_duration(duration)
        if starts <= now + timedelta(minutes=1):
            raise UserError("The start must be in the future.")
        channel = await self._debate_channel(interaction)
        event = await interaction.guild.create_scheduled_event(
            name=truncate(f"Debate: {text}", 100),
            description=truncate(
                f"{text}\n\nOxford-style: vote before and after; the side "
                "that moves the room wins.",
                1000,
            ),
            start_time=starts,
            end_time=starts + length,
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            location=truncate(f"#{channel.name} on this server", 100),
        )
        await debates.record_event(
            self.bot.db, interaction.guild.id, event.id, text, starts, interaction.user.id
        )
        await interaction.response.send_message(
            f"Scheduled for {render.ts(starts, 'F')}: {event.url}\n"
            "When it is time, open it with /debate start.",
            ephemeral=True,
        )

    @debate.command(name="results", description="A debate's result: winner, swing, who moved")
    @app_commands.describe(debate_id="The debate's number")
    @app_commands.rename(debate_id="debate")
    @app_commands.autocomplete(debate_id=debate_id_autocomplete)
    async def debate_results(self, interaction: discord.Interaction, debate_id: int) -> None:
        assert interaction.guild is not None
        with user_errors():
            debate = await debates.require(self.bot.db, debate_id, interaction.guild.id)
        if debate.state.phase != "finished":
            raise UserError(
                f"Debate #{debate_id} is still running: its result is shown when it ends."
            )
        result = await self.swing_of(debate)
        await interaction.response.send_message(
            embed=render.swing_embed(debate, result), file=self._swing_chart(debate, result)
        )

    @debate.command(name="history", description="The server's recent debates and who won")
    async def debate_history(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        found = await debates.history(self.bot.db, interaction.guild.id, 10)
        if not found:
            raise UserError("No debates yet: moderators open one with /debate start.")
        lines = []
        for d in found:
            if d.state.phase == "finished":
                result = await self.swing_of(d)
                outcome = render.winner_line(result).split(":")[0].replace("**", "")
            else:
                outcome = f"running ({machine.TITLES[d.state.phase]})"
            thread = f" <#{d.thread_id}>" if d.thread_id else ""
            lines.append(f"**#{d.id}** {truncate(d.motion, 100)} — {outcome}{thread}")
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    # -------------------------------------------------------------- debate result

    async def swing_of(self, debate: Debate) -> swing.SwingResult:
        return await debates.result(self.bot.db, debate)

    def _swing_chart(self, debate: Debate, result: swing.SwingResult) -> discord.File:
        png = charts.swing_chart(
            debate.motion,
            [result.share("pre", s) for s in swing.SIDES],
            [result.share("post", s) for s in swing.SIDES],
        )
        return discord.File(io.BytesIO(png), filename=f"debate-{debate.id}.png")

    # ------------------------------------------------------------ panel controls

    async def _refresh_panel(self, debate_id: int) -> None:
        debate = await debates.get(self.bot.db, debate_id)
        if debate is None or debate.thread_id is None or debate.panel_message_id is None:
            return
        speakers = await debates.waiting(self.bot.db, debate_id, "speaker")
        questions = await debates.waiting(self.bot.db, debate_id, "question")
        embed = render.panel_embed(debate, speakers, questions, self.bot.now())
        view = None
        if debate.state.phase != "finished":
            view = panel_view(
                debate_id, paused=debate.state.paused, extend_seconds=self.config.extend_seconds
            )
        message = self._channel(debate.thread_id).get_partial_message(debate.panel_message_id)
        try:
            await message.edit(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("could not refresh the panel of debate %d: %s", debate_id, exc)

    async def _say(self, debate: Debate, text: str, ping: int | None = None) -> None:
        if debate.thread_id is None:
            return
        mentions = discord.AllowedMentions(
            everyone=False, roles=False, users=[discord.Object(ping)] if ping else False
        )
        try:
            await self._channel(debate.thread_id).send(text, allowed_mentions=mentions)
        except discord.HTTPException as exc:
            log.warning("could not post in debate %d: %s", debate.id, exc)

    async def on_control(
        self, interaction: discord.Interaction, debate_id: int, action: str
    ) -> None:
        with user_errors():
            debate = await debates.require(
                self.bot.db, debate_id, interaction.guild.id if interaction.guild else None
            )
        if action in MODERATOR_ACTIONS:
            await ensure_moderator(interaction)
            await self._moderate(interaction, debate, action)
            return
        if debate.state.phase == "finished":
            raise UserError("This debate is over.")
        user_id, now = interaction.user.id, self.bot.now()
        if action == "ask":
            await interaction.response.send_modal(QuestionModal(self, debate_id))
            return
        if action in ("speak_for", "speak_against"):
            side = action.removeprefix("speak_")
            joined = await debates.join_queue(self.bot.db, debate_id, user_id, now, side=side)
            text = (
                f"You are in the queue to speak **{side.title()}**. The moderator calls speakers "
                "in order."
                if joined
                else f"You are already waiting to speak {side.title()}."
            )
        elif action == "leave":
            left = await debates.leave_queues(self.bot.db, debate_id, user_id)
            text = "You left the queues." if left else "You were not waiting in any queue."
        else:
            raise UserError("That button is not in use any more.")
        await interaction.response.send_message(text, ephemeral=True)
        await self._refresh_panel(debate_id)

    async def on_question(
        self, interaction: discord.Interaction, debate_id: int, question: str
    ) -> None:
        debate = await debates.get(self.bot.db, debate_id)
        if debate is None or debate.state.phase == "finished":
            raise UserError("This debate is over.")
        joined = await debates.join_queue(
            self.bot.db, debate_id, interaction.user.id, self.bot.now(), text=question.strip()
        )
        text = (
            "Your question is queued; the moderator calls questions during the audience phase."
            if joined
            else "You already have a question waiting: one at a time."
        )
        await interaction.response.send_message(text, ephemeral=True)
        await self._refresh_panel(debate_id)

    async def _moderate(
        self, interaction: discord.Interaction, debate: Debate, action: str
    ) -> None:
        state, now = debate.state, self.bot.now()
        question: str | None = None
        entry: debates.Waiting | None = None
        notices: frozenset[str] | None = None
        with user_errors():
            if action == "advance":
                new = machine.advance(state)
            elif action == "skip":
                new = machine.skip(state)
            elif action == "pause":
                new = machine.pause(state, now)
            elif action == "resume":
                new = machine.resume(state, now)
            elif action == "extend":
                new = machine.extend(state, self.config.extend_seconds)
                # Warnings whose moment moved back into the future may be posted again.
                notices = frozenset(
                    n
                    for n in debate.notices
                    if n != "end"
                    and new.deadline is not None
                    and new.deadline - timedelta(seconds=int(n)) <= now
                )
            elif action == "call":
                if state.phase not in machine.TIMED:
                    raise machine.TransitionError(
                        f"Nobody speaks during the {machine.TITLES[state.phase].lower()}."
                    )
                kind = "question" if state.phase == "questions" else "speaker"
                entry = await debates.next_waiting(
                    self.bot.db, debate.id, kind, machine.PHASE_SIDE.get(state.phase)
                )
                if entry is None:
                    who = {"questions": "question", "rebuttal": "speaker"}.get(
                        state.phase, f"{machine.PHASE_SIDE.get(state.phase, '')} speaker"
                    )
                    raise machine.TransitionError(
                        f"Nobody is waiting: no {who.strip()} in the queue."
                    )
                side = "question" if kind == "question" else entry.side or ""
                new = machine.give_floor(
                    state, now, entry.user_id, side, self.config.phase_seconds[state.phase]
                )
                question = entry.text
            else:
                raise machine.TransitionError("That button is not in use any more.")
        if state.speaker_side == "question" and new.speaker_id == state.speaker_id:
            question = question or debate.question_text
        if not await debates.save_state(
            self.bot.db, debate, new, now, question_text=question, notices=notices
        ):
            raise UserError(
                "Another moderator changed the debate at the same moment: look at "
                "the panel and try again."
            )
        if entry is not None:
            await debates.mark_called(self.bot.db, entry.entry_id, now)
        await interaction.response.send_message(
            f"Done: {machine.TITLES[new.phase]}" + (" (paused)" if new.paused else "") + ".",
            ephemeral=True,
        )
        updated = await debates.require(self.bot.db, debate.id, None)
        await self._after(debate, updated, action)

    async def _after(self, before: Debate, after: Debate, action: str) -> None:
        """Side effects of a transition: polls, announcements, timers, the panel."""
        old, new = before.state, after.state
        if old.phase != new.phase:
            if old.phase == "pre_vote" and before.pre_poll_id:
                await self.close_poll(before.pre_poll_id, after.moderator_id)
            await self._say(after, self._phase_text(new.phase))
            if new.phase == "post_vote":
                post_id = await polls.create_poll(
                    self.bot.db,
                    guild_id=after.guild_id,
                    channel_id=after.thread_id or 0,
                    question=after.motion,
                    options=DEBATE_OPTIONS,
                    created_by=after.moderator_id,
                    now=self.bot.now(),
                    live=False,
                    kind="debate_post",
                )
                await debates.attach(self.bot.db, after.id, post_poll_id=post_id)
                if after.thread_id:
                    await self._post_poll(self._channel(after.thread_id), post_id)
            if new.phase == "finished":
                if after.post_poll_id:
                    await self.close_poll(after.post_poll_id, after.moderator_id)
                await self._post_result(after)
        elif action == "call" and new.speaker_id:
            length = render.clock(new.length or 0)
            if new.speaker_side == "question":
                quoted = "\n".join(f"> {line}" for line in (after.question_text or "").splitlines())
                await self._say(
                    after,
                    f"❓ Question from <@{new.speaker_id}> ({length} for the answer):\n{quoted}",
                    ping=new.speaker_id,
                )
            else:
                await self._say(
                    after,
                    f"🎤 <@{new.speaker_id}> has the floor for "
                    f"**{swing.LABELS[new.speaker_side or 'for']}**: {length}.",
                    ping=new.speaker_id,
                )
        elif action == "pause":
            await self._say(after, "⏸ The debate is paused.")
        elif action == "resume":
            await self._say(after, "▶ The debate resumes.")
        elif action == "extend":
            await self._say(after, f"⏱ The moderator added {self.config.extend_seconds} seconds.")
        self._arm_debate(after.id)
        await self._refresh_panel(after.id)

    def _phase_text(self, phase: str) -> str:
        hints = {
            "opening_for": "The moderator calls the For side's opening speaker.",
            "opening_against": "The moderator calls the Against side's opening speaker.",
            "rebuttal": "Both sides may answer: join a speaker queue.",
            "questions": "Audience questions: press **Ask a question** on the panel.",
            "closing_for": "Closing statement for the motion.",
            "closing_against": "Closing statement against the motion.",
            "post_vote": "Time to vote again: has the debate changed your mind?",
            "finished": "The debate is over. Here is the result.",
        }
        return f"**{machine.TITLES[phase]}** — {hints.get(phase, '')}"

    async def _post_result(self, debate: Debate) -> None:
        result = await self.swing_of(debate)
        if debate.thread_id is None:
            return
        try:
            await self._channel(debate.thread_id).send(
                embed=render.swing_embed(debate, result), file=self._swing_chart(debate, result)
            )
        except discord.HTTPException as exc:
            log.warning("could not post the result of debate %d: %s", debate.id, exc)

    # -------------------------------------------------------------- speech timers

    def _arm_debate(self, debate_id: int, *, restarted: bool = False) -> None:
        old = self._debate_timers.pop(debate_id, None)
        if old is not None and old is not asyncio.current_task():
            old.cancel()
        self._debate_timers[debate_id] = self._spawn(
            self._run_timer(debate_id, restarted), f"herbot-debate-timer-{debate_id}"
        )

    async def _run_timer(self, debate_id: int, restarted: bool) -> None:
        warnings = self.config.warnings
        while True:
            debate = await debates.get(self.bot.db, debate_id)
            if debate is None:
                return
            due = machine.notices_due(debate.state, self.bot.now(), warnings)
            fresh = [n for n in due if n not in debate.notices]
            if fresh:
                await self._post_notice(debate, fresh, restarted)
                continue
            wake = machine.next_wakeup(debate.state, warnings, set(debate.notices))
            if wake is None:
                self._debate_timers.pop(debate_id, None)
                return
            restarted = False
            await discord.utils.sleep_until(wake)

    async def _post_notice(self, debate: Debate, due: list[str], restarted: bool) -> None:
        """Post the most urgent due notice once; older missed ones are claimed silently."""
        urgent = "end" if "end" in due else min(due, key=int)
        seq = debate.state.seq
        for notice in due:
            claimed = await debates.claim_notice(self.bot.db, debate.id, seq, notice)
            if notice != urgent or not claimed:
                continue
            who = f"<@{debate.state.speaker_id}>" if debate.state.speaker_id else "the speaker"
            if notice == "end":
                late = " (noticed after a restart)" if restarted else ""
                text = f"⏹ Time is up for {who}{late}."
            else:
                seconds = int(notice)
                amount = f"{seconds // 60} minute" if seconds % 60 == 0 else f"{seconds} seconds"
                if seconds % 60 == 0 and seconds > 60:
                    amount += "s"
                text = f"⏱ {amount} left for {who}."
            await self._say(debate, text)
        if "end" in due:
            await self._refresh_panel(debate.id)
