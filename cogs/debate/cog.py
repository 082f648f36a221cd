"""/debate: moderated Oxford-style debates in a thread, with a persistent control panel.

An adapter over :mod:`cogs.debate.machine` (phases, speech timers) and
:mod:`cogs.debate.store` (state in the database). Every change (a phase, the floor, a queue,
a claimed notice) is one ``db.transaction()``; Discord is called only after it committed.
The pre- and post-debate votes are polls run by the Polls cog. One task per live debate
sleeps until the next timer notice; ``cog_load`` re-arms them, and a speech that ended while
the bot was down gets its notice once.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import claims, conversations, guild_settings
from bot.background import Background
from bot.checks import ensure_moderator, moderator_only
from bot.db import Transaction
from bot.errors import UserError, bot_call, refusals
from bot.pacing import EditBudget
from bot.presentation import AUTOCOMPLETE_MAX, CHOICE_NAME_LIMIT, plain, truncate
from bot.timeparse import discord_timestamp, parse_duration, parse_start
from cogs.debate import (
    charts,
    debates,
    embeds_ui,
    format_machine,
    judges_store,
    machine,
    poi_store,
    store,
    swing,
    veto_store,
)
from cogs.debate.config import DEBATE_OPTIONS, DebateConfig
from cogs.debate.debates import POST_VOTE, PRE_VOTE, VOTE_KINDS, Debate
from cogs.debate.format_cog import FormatDebates
from cogs.debate.judges_cog import JudgeDebates
from cogs.debate.judges_ui import JudgeControl
from cogs.debate.panel_ui import floor_text, panel_layout
from cogs.debate.poi_ui import POIAnswer
from cogs.debate.stage_cog import StageDebates
from cogs.debate.ui import MODERATOR_ACTIONS, DebateControl, QuestionModal
from cogs.debate.veto import VETO_SECONDS
from cogs.debate.veto_cog import VetoDebates
from cogs.debate.veto_ui import VetoStrike
from cogs.polls import service as polls_service
from cogs.polls.service import HostedKind, PollRunner

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

NOTICE_PREFIX = "debate-notice:"


def timer_key(debate_id: int) -> str:
    """The debate's speech and preparation timer (bot/timers.py)."""
    return f"debate:timer:{debate_id}"


THREAD_OPENED_EVENT = "herbot_debate_thread_opened"


class Debates(FormatDebates, JudgeDebates, VetoDebates, StageDebates, commands.Cog):
    debate = app_commands.Group(
        name="debate", description="Moderated Oxford-style debates", guild_only=True
    )
    judges = app_commands.Group(
        name="judges", description="A debate's panel of judges (moderators)", parent=debate
    )
    decision = app_commands.Group(
        name="decision", description="The judges' decision (the chair)", parent=debate
    )

    def __init__(self, bot: Herbot, config: DebateConfig, polls: PollRunner) -> None:
        self.bot = bot
        self.config = config
        self.polls = polls  # runs the pre- and post-debate votes (cogs/polls/service.py)
        polls.host(
            VOTE_KINDS,
            HostedKind(
                embed=embeds_ui.debate_vote_embed,
                published=store.vote_published,
                hidden="is a debate vote: its tally is hidden until the debate ends "
                "(then see /debate results)",
                closes="This is a debate vote: it closes when the moderator advances the debate.",
                options_fixed="A debate vote's options are fixed: For, Against, Undecided.",
            ),
        )
        self._panel_budget = EditBudget()
        self._panel_pending: set[int] = set()
        self._panel_locks: dict[int, asyncio.Lock] = {}
        self._panel_loop = tasks.loop(seconds=1.0)(self._redraw_pending)
        self._background = Background()

    # ------------------------------------------------------------------ lifecycle

    async def cog_load(self) -> None:
        self.bot.components.add(self, DebateControl)
        self.bot.components.add(self, POIAnswer)  # FormatDebates'
        self.bot.components.add(self, JudgeControl)  # JudgeDebates'
        self.bot.components.add(self, VetoStrike)  # VetoDebates'
        self.bot.scheduler.claimed(NOTICE_PREFIX, self._late_notice)
        self.bot.scheduler.on_start(self._rearm)

    async def cog_unload(self) -> None:
        self.bot.components.remove(DebateControl, POIAnswer, JudgeControl, VetoStrike)
        self._panel_loop.cancel()
        self._background.cancel_all()
        self.bot.scheduler.cancel_prefix("debate:")

    async def _rearm(self) -> None:
        """After a (re)start: every live debate's timer resumes from its stored deadline.

        A phase change saved just before the bot stopped gets its vote work done now: the
        pre-debate vote closed, the post-debate vote opened (else the debate could not end).
        Notices whose poster stopped are the scheduler's sweep's (``_late_notice``).
        """
        for debate in await store.live_debates(self.bot.db):
            if not self.bot.owns_guild(debate.guild_id):
                continue  # another process runs that guild's shard (docs/scaling.md)
            if debate.state.phase not in format_machine.BEFORE_SPEECHES and debate.pre_poll_id:
                pre = await polls_service.get_poll(self.bot.db, debate.pre_poll_id)
                if pre is not None and pre.is_open:
                    await self.polls.close_poll(debate.pre_poll_id, debate.moderator_id)
            if debate.state.phase == "post_vote" and debate.post_poll_id is None:
                await self._open_post_vote(debate)
            self.arm_debate(debate.id, restarted=True)
            await self.rearm_stage(debate)
        await self.rearm_vetoes()

    def channel_of(self, channel_id: int) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel_id)

    async def motion_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.polls.motion_autocomplete(interaction, current)

    async def debate_id_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild is None:
            return []
        found = await store.debate_history(self.bot.db, interaction.guild.id, AUTOCOMPLETE_MAX)
        return [
            app_commands.Choice(
                name=truncate(f"#{d.id}: {plain(d.motion)}", CHOICE_NAME_LIMIT), value=d.id
            )
            for d in found
            if not current.strip()
            or current.strip().casefold() in f"#{d.id}: {plain(d.motion)}".casefold()
        ]

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

    @debate.command(
        name="start",
        description="Open a debate thread and its pre-debate vote (on a Stage: needs Mute Members)",
    )
    @app_commands.describe(
        motion="A preset motion, or your own",
        fmt="Speeches, times, points of information and preparation (default Oxford-style)",
        veto="Motion veto (Asian Parliamentary, World Schools): two more motions, 'A; B'",
        stage="A Stage channel: speakers are brought up there (herbot needs Mute Members on it)",
        **polls_service.VOTE_RULES_DESCRIBE,
    )
    @app_commands.rename(fmt="format")
    @app_commands.autocomplete(motion=motion_autocomplete, fmt=FormatDebates.format_autocomplete)
    @moderator_only()
    async def debate_start(
        self,
        interaction: discord.Interaction,
        motion: app_commands.Range[str, 1, 300],
        fmt: app_commands.Range[str, 1, 100] | None = None,
        veto: app_commands.Range[str, 1, 700] | None = None,
        stage: discord.StageChannel | None = None,
        eligible: str | None = None,
        quorum: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        with refusals(ValueError):  # the domain's refusals
            rules = polls_service.parse_rules(eligible, quorum)
        text, _ = self.polls.resolve_motion(motion)
        chosen = self.resolve_format(fmt)
        motions = self.veto_motions(chosen, text, veto)  # None: no veto
        if motions and rules != polls_service.Rules():
            # The vote opens after the veto (veto_cog.py), which does not carry the rules yet.
            raise UserError(
                "Eligibility rules and a quorum cannot be combined with a motion veto yet."
            )
        if stage is not None:
            self.check_stage(stage)
        channel = await self._debate_channel(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.now()
        async with self.bot.db.transaction() as tx:
            debate_id = await store.create_debate(
                tx,
                guild_id=interaction.guild.id,
                channel_id=channel.id,
                motion=text,
                moderator_id=interaction.user.id,
                now=now,
                format_id=chosen.id if chosen else format_machine.CLASSIC,
                stage_channel_id=stage.id if stage else None,
            )
            if motions:  # the pre-debate vote and preparation wait for the motion left
                await self.create_veto(tx, debate_id, motions, now)
            else:
                await self._open_format(tx, debate_id, chosen)
        starter: discord.Message | None = None
        thread: discord.Thread | None = None
        try:  # each step Discord may refuse; a refusal undoes the steps before it
            with bot_call(channel, "send_messages"):
                starter = await channel.send(
                    f"**Debate #{debate_id}** is open: {text}\n"
                    "Vote before it starts, in the thread. The side that moves the room wins."
                    if not motions
                    else f"**Debate #{debate_id}** is open: each side strikes one of three "
                    "motions in the thread, and the one left is debated."
                )
            with bot_call(channel, "create_public_threads"):
                thread = await starter.create_thread(
                    name=truncate(
                        f"Debate #{debate_id}: " + (plain(text) if not motions else "motion veto"),
                        100,
                    )
                )
            async with self.bot.db.transaction() as tx:  # the thread and its pre-debate vote
                await store.attach(tx, debate_id, thread_id=thread.id)
                pre_id: int | None = None
                if not motions:  # after a veto it opens on the motion left (veto_cog.py)
                    pre_id = await polls_service.create_poll(
                        tx,
                        guild_id=interaction.guild.id,
                        channel_id=thread.id,
                        question=text,
                        options=DEBATE_OPTIONS,
                        created_by=interaction.user.id,
                        now=now,
                        live=False,
                        kind=PRE_VOTE,
                        eligibility=rules.for_poll(now, interaction.guild.member_count),
                    )
                    await store.attach(tx, debate_id, pre_poll_id=pre_id)
                debate = await store.require_debate(tx, debate_id, None)
            with bot_call(thread, "send_messages_in_threads"):
                panel = await thread.send(
                    view=panel_layout(
                        debate,
                        [],
                        [],
                        now,
                        extend_seconds=self.config.extend_seconds,
                        formatted=await self._format_view(debate),
                    )
                )
            self._panel_budget.spend(debate_id, now)
            async with self.bot.db.transaction() as tx:
                await store.attach(tx, debate_id, panel_message_id=panel.id)
            if pre_id is not None:
                await self.polls.post_poll(thread, pre_id)
        except BaseException:
            await self._undo_start(debate_id, starter, thread)
            raise
        # Hook for thread recording (another feature): it listens to this event.
        self.bot.dispatch(THREAD_OPENED_EVENT, thread, debate_id)
        on_stage = self.stage_text(debate)
        if on_stage:
            await self.say(debate, on_stage)
        if motions:
            await self.open_veto(debate)
            await interaction.followup.send(
                f"Debate #{debate_id} is open in {thread.mention} with a **motion veto**: each "
                f"side strikes one of three motions ({VETO_SECONDS // 60} minutes); the "
                "pre-debate vote opens and preparation starts on the motion left.",
                ephemeral=True,
            )
            return
        hint = self._start_hint(debate, chosen)
        if hint:
            await self.say(debate, hint)
            self.arm_debate(debate_id)
        await interaction.followup.send(
            f"Debate #{debate_id} is open in {thread.mention}. The pre-debate vote is live; "
            + (hint or "press **Next phase** on the panel to start the opening statements."),
            ephemeral=True,
        )

    async def _undo_start(
        self, debate_id: int, starter: discord.Message | None, thread: discord.Thread | None
    ) -> None:
        """A /debate start that Discord refused part-way leaves nothing: not the thread or its
        starter message, not the debate (no timer re-arms it), not its unposted vote."""
        for made in (thread, starter):
            if made is not None:
                try:
                    await made.delete()
                except discord.HTTPException as exc:
                    log.warning("could not remove what debate %d's start made: %s", debate_id, exc)
        async with self.bot.db.transaction() as tx:
            for poll_id in await store.discard(tx, debate_id):
                await polls_service.discard_unposted(tx, poll_id)

    @debate.command(name="schedule", description="Announce a debate as a Discord scheduled event")
    @app_commands.describe(
        motion="A preset motion, or your own",
        start="When: 'in 2h', '2026-12-01 19:00' (UTC) or a Discord timestamp <t:…>",
        duration="How long, e.g. 90m (default 1h)",
        stage="The Stage channel the debate will run on (the event points at it)",
    )
    @app_commands.autocomplete(motion=motion_autocomplete)
    @moderator_only()
    async def debate_schedule(
        self,
        interaction: discord.Interaction,
        motion: app_commands.Range[str, 1, 300],
        start: str,
        duration: str = "1h",
        stage: discord.StageChannel | None = None,
    ) -> None:
        assert interaction.guild is not None
        text, _ = self.polls.resolve_motion(motion)
        now = self.bot.now()
        with refusals(ValueError):  # the domain's refusals
            starts = parse_start(start, now)
            length = parse_duration(duration)
        if starts <= now + timedelta(minutes=1):
            raise UserError("The start must be in the future.")
        channel = await self._debate_channel(interaction)
        place: dict[str, Any] = {
            "entity_type": discord.EntityType.external,
            "location": truncate(f"#{channel.name} on this server", 100),
        }
        where: Any = interaction.guild
        needed: tuple[str, ...] = ("create_events",)
        if stage is not None:  # a Stage event: Discord asks for a Stage moderator's rights
            place = {"entity_type": discord.EntityType.stage_instance, "channel": stage}
            where, needed = stage, (*needed, "manage_channels", "mute_members", "move_members")
        with bot_call(where, *needed):
            event = await interaction.guild.create_scheduled_event(
                name=truncate(f"Debate: {plain(text)}", 100),
                description=truncate(
                    f"{text}\n\nOxford-style: vote before and after; the side "
                    "that moves the room wins.",
                    1000,
                ),
                start_time=starts,
                end_time=starts + length,
                privacy_level=discord.PrivacyLevel.guild_only,
                **place,
            )
        async with self.bot.db.transaction() as tx:
            await store.record_event(
                tx, interaction.guild.id, event.id, text, starts, interaction.user.id
            )
        await interaction.response.send_message(
            f"Scheduled for {discord_timestamp(starts, 'F')}: {event.url}\n"
            "When it is time, open it with /debate start"
            + (f" stage:{stage.mention}." if stage is not None else "."),
            ephemeral=True,
        )

    @debate.command(name="results", description="A debate's result: winner, swing, who moved")
    @app_commands.describe(debate_id="The debate's number")
    @app_commands.rename(debate_id="debate")
    @app_commands.autocomplete(debate_id=debate_id_autocomplete)
    async def debate_results(self, interaction: discord.Interaction, debate_id: int) -> None:
        assert interaction.guild is not None
        with refusals(ValueError):  # the domain's refusals
            debate = await store.require_debate(self.bot.db, debate_id, interaction.guild.id)
        if debate.state.phase != "finished":
            raise UserError(
                f"Debate #{debate_id} is still running: its result is shown when it ends."
            )
        result = await self.swing_of(debate)
        await interaction.response.send_message(
            embed=embeds_ui.swing_embed(debate, result, await self.panel_decision(debate)),
            file=await self._swing_chart(debate, result),
        )
        decided = await self.released_decision_embed(debate)
        if decided is not None:
            await interaction.followup.send(embed=decided)

    # ------------------------------------------------------------------ judges

    @judges.command(name="add", description="Name a judge of a debate's panel")
    @app_commands.describe(debate_id="The debate's number", member="The judge")
    @app_commands.rename(debate_id="debate")
    @app_commands.autocomplete(debate_id=debate_id_autocomplete)
    @moderator_only()
    async def judges_add_command(
        self, interaction: discord.Interaction, debate_id: int, member: discord.Member
    ) -> None:
        await self.judges_add(interaction, debate_id, member)

    @judges.command(name="remove", description="Take a judge off a debate's panel")
    @app_commands.describe(debate_id="The debate's number", member="The judge")
    @app_commands.rename(debate_id="debate")
    @app_commands.autocomplete(debate_id=debate_id_autocomplete)
    @moderator_only()
    async def judges_remove_command(
        self, interaction: discord.Interaction, debate_id: int, member: discord.User
    ) -> None:
        await self.judges_remove(interaction, debate_id, member)

    @judges.command(name="list", description="A debate's judges and whose ballot is in")
    @app_commands.describe(debate_id="The debate's number")
    @app_commands.rename(debate_id="debate")
    @app_commands.autocomplete(debate_id=debate_id_autocomplete)
    @moderator_only()
    async def judges_list_command(self, interaction: discord.Interaction, debate_id: int) -> None:
        await self.judges_list(interaction, debate_id)

    @decision.command(name="release", description="Release the judges' decision and ballots")
    @app_commands.describe(debate_id="The debate's number")
    @app_commands.rename(debate_id="debate")
    @app_commands.autocomplete(debate_id=debate_id_autocomplete)
    @moderator_only()
    async def decision_release_command(
        self, interaction: discord.Interaction, debate_id: int
    ) -> None:
        await self.decision_release(interaction, debate_id)

    async def audience_line(self, debate: Debate) -> str | None:
        """The audience's verdict beside the judges' (None while the vote is still open)."""
        if debate.state.phase != "finished":
            return "The post-debate vote is still open: the swing follows when the debate ends."
        return embeds_ui.winner_line(await self.swing_of(debate))

    async def released_decision_embed(self, debate: Debate) -> discord.Embed | None:
        if await judges_store.released(self.bot.db, debate.id) is None:
            return None
        return await self.decision_embed_of(debate)

    @debate.command(name="history", description="The server's recent debates and who won")
    async def debate_history(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        found = await store.debate_history(self.bot.db, interaction.guild.id, 10)
        if not found:
            raise UserError("No debates yet: moderators open one with /debate start.")
        lines = []
        for d in found:
            if d.state.phase == "finished":
                result = await self.swing_of(d)
                outcome = embeds_ui.winner_line(result).split(":")[0].replace("**", "")
            else:
                outcome = f"running ({machine.TITLES[d.state.phase]})"
            thread = f" <#{d.thread_id}>" if d.thread_id else ""
            # Plain: a motion cut at 100 characters could leave half of its emphasis raw.
            lines.append(f"**#{d.id}** {truncate(plain(d.motion), 100)} — {outcome}{thread}")
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    # -------------------------------------------------------------- debate result

    async def swing_of(self, debate: Debate) -> swing.SwingResult:
        return await store.debate_result(self.bot.db, debate)

    async def _swing_chart(self, debate: Debate, result: swing.SwingResult) -> discord.File:
        """Drawn in a worker thread: matplotlib would stall the event loop for every member."""
        png = await asyncio.to_thread(
            charts.swing_chart,
            debate.motion,
            [result.share("pre", s) for s in swing.SIDES],
            [result.share("post", s) for s in swing.SIDES],
        )
        return discord.File(io.BytesIO(png), filename=f"debate-{debate.id}.png")

    # ------------------------------------------------------------ panel controls

    async def refresh_panel(self, debate_id: int) -> None:
        """Redraw the panel now if the thread's edit budget allows, else once, a bit later.

        The trailing redraw reads the state when it runs, so it shows every change made
        meanwhile; no click waits for it (pacing.py).
        """
        if debate_id in self._panel_pending:
            return
        now = self.bot.now()
        if self._panel_budget.wait(debate_id, now) <= 0:
            self._panel_budget.spend(debate_id, now)
            await self._draw_panel(debate_id)
            return
        self._panel_pending.add(debate_id)
        if not self._panel_loop.is_running():
            self._panel_loop.start()

    async def _redraw_pending(self) -> None:
        """The trailing redraws, once a second while any is waiting for the edit budget.

        A discord.ext.tasks loop (like the tally's), so simcord drives it with advance_time;
        it stops when nothing waits, so an idle bot has no timer ticking.
        """
        if self._panel_loop.current_loop == 0:
            return
        now = self.bot.now()
        for debate_id in sorted(self._panel_pending):
            if self._panel_budget.wait(debate_id, now) <= 0:
                self._panel_pending.discard(debate_id)
                self._panel_budget.spend(debate_id, now)
                await self._draw_panel(debate_id)
        if not self._panel_pending:
            self._panel_loop.stop()

    async def _draw_panel(self, debate_id: int) -> None:
        lock = self._panel_locks.setdefault(debate_id, asyncio.Lock())
        async with lock:  # two redraws never land out of order
            debate = await store.get_debate(self.bot.db, debate_id)
            if debate is None or debate.thread_id is None or debate.panel_message_id is None:
                return
            speakers = await store.waiting(self.bot.db, debate_id, "speaker")
            questions = await store.waiting(self.bot.db, debate_id, "question")
            layout = panel_layout(
                debate,
                speakers,
                questions,
                self.bot.now(),
                extend_seconds=self.config.extend_seconds,
                formatted=await self._format_view(debate),
            )
            message = self.channel_of(debate.thread_id).get_partial_message(debate.panel_message_id)
            try:  # a panel posted as an embed by an older release becomes a layout here
                await message.edit(content=None, embeds=[], attachments=[], view=layout)
            except discord.HTTPException as exc:
                log.warning("could not refresh the panel of debate %d: %s", debate_id, exc)
            if debate.state.phase == "finished":
                self._panel_budget.forget(debate_id)
                self._panel_locks.pop(debate_id, None)

    async def say(self, debate: Debate, text: str, ping: int | None = None) -> None:
        try:
            await self._post_in_thread(debate, text, ping)
        except discord.HTTPException as exc:
            log.warning("could not post in debate %d: %s", debate.id, exc)

    async def _post_in_thread(self, debate: Debate, text: str, ping: int | None = None) -> None:
        """Post in the debate's thread; raises when Discord refused (the caller retries)."""
        if debate.thread_id is None:
            return
        mentions = discord.AllowedMentions(
            everyone=False, roles=False, users=[discord.Object(ping)] if ping else False
        )
        await self.channel_of(debate.thread_id).send(text, allowed_mentions=mentions)

    async def on_control(
        self, interaction: discord.Interaction, debate_id: int, action: str
    ) -> None:
        with refusals(ValueError):  # the domain's refusals
            debate = await store.require_debate(
                self.bot.db, debate_id, interaction.guild.id if interaction.guild else None
            )
        if action in MODERATOR_ACTIONS:
            await ensure_moderator(interaction)
            await self._moderate(interaction, debate, action)
            return
        if debate.state.phase == "finished":
            raise UserError("This debate is over.")
        user_id, now = interaction.user.id, self.bot.now()
        if action == "poi":
            await self._offer_poi(interaction, debate)
            return
        if action == "ask":
            waiting = await store.waiting(self.bot.db, debate_id, "question")
            if any(entry.user_id == user_id for entry in waiting):
                # Say so before the form: a second question typed in it would be lost.
                raise UserError(
                    "You already have a question waiting: one at a time. Press "
                    "**Leave queue** first if you want to ask a different one."
                )
            await interaction.response.send_modal(QuestionModal(self, debate_id))
            return
        if action in ("speak_for", "speak_against"):
            side = action.removeprefix("speak_")
            async with self.bot.db.transaction() as tx:
                joined = await store.join_queue(tx, debate_id, user_id, now, side=side)
            text = (
                f"You are in the queue to speak **{side.title()}**. The moderator calls speakers "
                "in order."
                if joined
                else f"You are already waiting to speak {side.title()}."
            )
        elif action == "leave":
            async with self.bot.db.transaction() as tx:
                left = await store.leave_queues(tx, debate_id, user_id)
            text = "You left the queues." if left else "You were not waiting in any queue."
        else:
            raise UserError("That button is not in use any more.")
        await interaction.response.send_message(text, ephemeral=True)
        await self.refresh_panel(debate_id)

    async def on_question(
        self, interaction: discord.Interaction, debate_id: int, question: str
    ) -> None:
        debate = await store.get_debate(self.bot.db, debate_id)
        if debate is None or debate.state.phase == "finished":
            raise UserError("This debate is over.")
        async with self.bot.db.transaction() as tx:
            joined = await store.join_queue(
                tx, debate_id, interaction.user.id, self.bot.now(), text=question.strip()
            )
        text = (
            "Your question is queued; the moderator calls questions during the audience phase."
            if joined
            else "You already have a question waiting: one at a time."
        )
        await interaction.response.send_message(text, ephemeral=True)
        await self.refresh_panel(debate_id)

    async def _moderate(
        self, interaction: discord.Interaction, debate: Debate, action: str
    ) -> None:
        """One transaction: the transition (version-guarded) and the queue entry it calls."""
        now = self.bot.now()
        async with self.bot.db.transaction() as tx:
            new = await self._transition(tx, debate, action, now)
            updated = await store.require_debate(tx, debate.id, None)
        done = f"Done: {machine.TITLES[new.phase]}" + (" (paused)" if new.paused else "") + "."
        if action == "call":  # what the click did is who it called
            done = f"Called: {floor_text(updated)}."
        await interaction.response.send_message(done, ephemeral=True)
        await self.after_transition(debate, updated, action)

    async def _transition(
        self, tx: Transaction, debate: Debate, action: str, now: datetime
    ) -> machine.State:
        """Apply ``action`` to the stored debate in ``tx``; a refusal raises (and rolls back)."""
        state = debate.state
        question: str | None = None
        entry: debates.Waiting | None = None
        notices: frozenset[str] | None = None
        fmt = self.format_of(debate)  # None: the classic (Oxford) order
        if await veto_store.is_open(tx, debate.id):
            raise UserError(
                "The motion veto comes first: the debate goes on once each side struck a "
                "motion (or the veto's time is up)."
            )
        with refusals(ValueError):  # the domain's refusals
            formatted = fmt and await self._format_transition(tx, debate, fmt, action, now)
            if formatted:
                new, entry = formatted
            elif action == "advance":
                if state.phase == "post_vote" and debate.post_poll_id is None:
                    # Another click's transition is still opening the vote the result needs.
                    raise machine.TransitionError(
                        "The post-debate vote is still being opened: try again in a moment."
                    )
                new = machine.advance(state)
            elif action == "skip":
                new = machine.skip(state)
            elif action == "pause":
                new = machine.pause(state, now)
            elif action == "resume":
                new = machine.resume(state, now)
            elif action == "extend":
                new = machine.extend(state, self.config.extend_seconds, now)
                # Warnings whose moment moved back into the future may be posted again;
                # a paused speech counts its seconds left the same way.
                left = new.seconds_left(now)
                notices = frozenset(
                    n for n in debate.notices if n != "end" and left is not None and left <= int(n)
                )
            elif action == "call":
                if state.phase not in machine.TIMED:
                    raise machine.TransitionError(
                        f"Nobody speaks during the {machine.TITLES[state.phase].lower()}."
                    )
                kind = "question" if state.phase == "questions" else "speaker"
                entry = await store.next_waiting(
                    tx, debate.id, kind, machine.PHASE_SIDE.get(state.phase)
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
        if not await store.save_state(
            tx, debate, new, now, question_text=question, notices=notices
        ):
            raise UserError(
                "Another moderator changed the debate at the same moment: look at "
                "the panel and try again."
            )
        if entry is not None:
            await store.mark_called(tx, entry.entry_id, now)
        if fmt is not None and new.seq != state.seq:  # a POI left unanswered lapses
            await poi_store.lapse_stale(tx, debate.id, new.seq, now)
        return new

    async def after_transition(self, before: Debate, after: Debate, action: str) -> None:
        """Side effects of a transition: polls, announcements, timers, the panel."""
        old, new = before.state, after.state
        await self.stage_sync(after, old, new, self.bot.now())  # a Stage debate's speakers
        if old.phase != new.phase or old.speech_index != new.speech_index:
            if old.phase in format_machine.BEFORE_SPEECHES and before.pre_poll_id:
                await self.polls.close_poll(before.pre_poll_id, after.moderator_id)
            await self.say(after, self._format_phase_text(after) or self._phase_text(new.phase))
            if new.phase == "post_vote":
                await self._open_post_vote(after)
                await self.open_ballots(after)
            if new.phase == "finished":
                if after.post_poll_id:
                    await self.polls.close_poll(after.post_poll_id, after.moderator_id)
                await self._post_result(after)
                await self._post_poi_summary(after)
                if after.thread_id is not None:
                    conversations.ended(self.bot, after.thread_id)  # e.g. its transcript posted
        elif action == "call" and new.speaker_id:
            length = embeds_ui.clock(new.length or 0)
            if new.speaker_side == "question":
                quoted = "\n".join(f"> {line}" for line in (after.question_text or "").splitlines())
                await self.say(
                    after,
                    f"❓ Question from <@{new.speaker_id}> ({length} for the answer):\n{quoted}",
                    ping=new.speaker_id,
                )
            else:
                role = self._speech_role(after)
                await self.say(
                    after,
                    f"🎤 <@{new.speaker_id}> has the floor "
                    + (
                        f"as **{role}** ({swing.LABELS[new.speaker_side or 'for']})"
                        if role
                        else f"for **{swing.LABELS[new.speaker_side or 'for']}**"
                    )
                    + f": {length}.",
                    ping=new.speaker_id,
                )
        elif action == "pause":
            await self.say(after, "⏸ The debate is paused.")
        elif action == "resume":
            await self.say(after, "▶ The debate resumes.")
        elif action == "extend":
            await self.say(after, f"⏱ The moderator added {self.config.extend_seconds} seconds.")
        self.arm_debate(after.id)
        await self.refresh_panel(after.id)

    async def _open_post_vote(self, debate: Debate) -> None:
        async with self.bot.db.transaction() as tx:  # the vote and its link, or neither
            # The same rules as the vote before: the same join cutoff, one room.
            pre = (
                await polls_service.get_poll(tx, debate.pre_poll_id) if debate.pre_poll_id else None
            )
            post_id = await polls_service.create_poll(
                tx,
                guild_id=debate.guild_id,
                channel_id=debate.thread_id or 0,
                question=debate.motion,
                options=DEBATE_OPTIONS,
                created_by=debate.moderator_id,
                now=self.bot.now(),
                live=False,
                kind=POST_VOTE,
                eligibility=pre.eligibility if pre else None,
            )
            await store.attach(tx, debate.id, post_poll_id=post_id)
        if debate.thread_id:
            await self.polls.post_poll(self.channel_of(debate.thread_id), post_id)

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
        chart = await self._swing_chart(debate, result)
        try:
            await self.channel_of(debate.thread_id).send(
                embed=embeds_ui.swing_embed(debate, result, await self.panel_decision(debate)),
                file=chart,
            )
        except discord.HTTPException as exc:
            log.warning("could not post the result of debate %d: %s", debate.id, exc)

    # -------------------------------------------------------------- speech timers

    def arm_debate(
        self, debate_id: int, *, restarted: bool = False, at: datetime | None = None
    ) -> None:
        """The debate's timer (bot/timers.py): its next step at ``at`` (default: now)."""
        self.bot.scheduler.schedule_at(
            timer_key(debate_id), at or self.bot.now(), lambda: self._tick(debate_id, restarted)
        )

    async def _tick(self, debate_id: int, restarted: bool) -> None:
        """One step of a debate's timer: post what is due, then arm the next wake-up."""
        warnings = self.config.warnings
        while True:
            debate = await store.get_debate(self.bot.db, debate_id)
            if debate is None:
                return
            if debate.state.phase == "prep":  # preparation ends in the first speech
                await self._prep_tick(debate)
                return
            due = machine.notices_due(debate.state, self.bot.now(), warnings)
            fresh = [n for n in due if n not in debate.notices]
            if fresh:
                await self._post_notice(debate, fresh, restarted)
                continue
            wake = machine.next_wakeup(debate.state, warnings, set(debate.notices))
            if wake is not None:
                self.arm_debate(debate_id, at=wake)
            return

    def _notice_text(self, debate: Debate, notice: str, restarted: bool) -> str:
        who = f"<@{debate.state.speaker_id}>" if debate.state.speaker_id else "the speaker"
        if notice == "end":
            late = " (noticed after a restart)" if restarted else ""
            return f"⏹ Time is up for {who}{late}."
        seconds = int(notice)
        amount = f"{seconds // 60} minute" if seconds % 60 == 0 else f"{seconds} seconds"
        if seconds % 60 == 0 and seconds > 60:
            amount += "s"
        return f"⏱ {amount} left for {who}."

    async def _late_notice(self, key: str, claim: claims.Claim) -> int | None:
        """A notice claimed by a process that stopped (or whose post failed): "time is up"
        is posted late if its speech is still the current one; a missed warning is dropped."""
        debate_id, seq, notice = key.removeprefix(NOTICE_PREFIX).split(":")[:3]
        debate = await store.get_debate(self.bot.db, int(debate_id))
        if debate is not None and debate.state.seq == int(seq) and notice == "end":
            await self._post_in_thread(debate, self._notice_text(debate, notice, True))
        return None

    async def _post_notice(self, debate: Debate, due: list[str], restarted: bool) -> None:
        """Post the most urgent due notice once; older missed ones are claimed silently.

        After a restart only "time is up" is posted late: a warning whose moment passed while
        the bot was down would tell the speaker the wrong time left.
        """
        urgent = "end" if "end" in due else None if restarted else min(due, key=int)
        seq = debate.state.seq
        # The version too: after Extend the same speech's "time is up" is a new notice.
        key = f"{NOTICE_PREFIX}{debate.id}:{seq}:{urgent}:{debate.version}"
        scheduler = self.bot.scheduler
        taken = None
        async with self.bot.db.transaction() as tx:  # claimed once, then posted outside
            claimed = [n for n in due if await store.claim_notice(tx, debate.id, seq, n)]
            if urgent in claimed:  # its post, claimed with it: retaken if this process dies
                taken = await scheduler.take(tx, key, debate.guild_id)
        if taken is not None and urgent is not None:
            text = self._notice_text(debate, urgent, restarted)

            async def post(_key: str, _claim: claims.Claim) -> int | None:
                await self._post_in_thread(debate, text)
                return None

            await scheduler.perform(key, taken, post)
        if "end" in due:
            state = debate.state  # the speaker goes back to the Stage's audience
            await self.stage_sync(debate, state, state, self.bot.now(), time_up=True)
            await self.refresh_panel(debate.id)
