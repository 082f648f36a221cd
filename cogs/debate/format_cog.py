"""The Debates cog's part for formats: choosing one, preparation, speeches, points of information.

A mixin of :class:`cogs.debate.cog.Debates` (which calls into it at a few named
points), so the classic Oxford code path stays as it was. Domain rules live in
:mod:`cogs.debate.format_machine`, the POI rows in :mod:`cogs.debate.poi_store`, the panel's
lines in :mod:`cogs.debate.format_panel_ui` and the Accept/Decline buttons in
:mod:`cogs.debate.poi_ui`. As everywhere in the feature, a change is one transaction and
Discord is called after it committed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.checks import is_moderator
from bot.db import Transaction
from bot.errors import UserError, refusals
from bot.presentation import AUTOCOMPLETE_MAX, CHOICE_NAME_LIMIT, truncate
from bot.timeparse import discord_timestamp as ts
from cogs.debate import format_machine, machine, poi_store, store
from cogs.debate.debates import Debate, Waiting
from cogs.debate.embeds_ui import clock
from cogs.debate.format_panel_ui import FormatView, summary_text
from cogs.debate.formats import Format
from cogs.debate.poi_ui import answered_text, offer_text, offer_view

if TYPE_CHECKING:
    from datetime import datetime

    from bot.app import Herbot
    from cogs.debate.config import DebateConfig

log = logging.getLogger(__name__)


class FormatDebates:
    """Formats for the Debates cog; expects ``bot``, ``config`` and the cog's helpers."""

    bot: Herbot
    config: DebateConfig

    if TYPE_CHECKING:  # provided by the Debates cog

        async def say(self, debate: Debate, text: str, ping: int | None = None) -> None: ...
        async def refresh_panel(self, debate_id: int) -> None: ...
        async def after_transition(self, before: Debate, after: Debate, action: str) -> None: ...
        async def stage_poi(self, debate: Debate, asker_id: int) -> None: ...
        def arm_debate(
            self, debate_id: int, *, restarted: bool = False, at: datetime | None = None
        ) -> None: ...

    # ------------------------------------------------------------------ the format

    @property
    def formats(self) -> dict[str, Format]:
        return {f.id: f for f in self.config.formats}

    def resolve_format(self, value: str | None) -> Format | None:
        """``/debate start``'s format option (an id or a name); None: the classic order."""
        if not value or not value.strip() or value.strip() == format_machine.CLASSIC:
            return self.formats.get(format_machine.CLASSIC)
        key = value.strip().casefold()
        for fmt in self.config.formats:
            if key in (fmt.id, fmt.name.casefold()):
                return fmt
        names = ", ".join(f.id for f in self.config.formats)
        raise UserError(
            f"There is no debate format {truncate(value, 40)!r}: choose one of {names}."
        )

    def format_of(self, debate: Debate) -> Format | None:
        """The debate's format, or None when it runs the classic (Oxford) order."""
        if format_machine.is_classic(debate.format_id):
            return None
        fmt = self.formats.get(debate.format_id)
        if fmt is None:
            raise UserError(
                f"Debate #{debate.id} runs the format {debate.format_id!r}, which is no longer "
                "in the debate formats file: put it back to go on."
            )
        return fmt

    async def format_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().casefold()
        return [
            app_commands.Choice(name=truncate(fmt.name, CHOICE_NAME_LIMIT), value=fmt.id)
            for fmt in self.config.formats
            if not typed or typed in fmt.id or typed in fmt.name.casefold()
        ][:AUTOCOMPLETE_MAX]

    async def _open_format(self, tx: Transaction, debate_id: int, fmt: Format | None) -> None:
        """In ``/debate start``'s transaction: a format with preparation starts in it."""
        if fmt is None or format_machine.is_classic(fmt.id):
            return
        debate = await store.require_debate(tx, debate_id, None)
        opening = format_machine.opening_state(fmt, self.bot.now())
        if opening != debate.state:
            await store.save_state(tx, debate, opening, self.bot.now())

    def _start_hint(self, debate: Debate, fmt: Format | None) -> str | None:
        """What ``/debate start`` tells the moderator and the thread for a formatted debate."""
        if fmt is None or format_machine.is_classic(fmt.id):
            return None
        if debate.state.phase == "prep" and debate.state.deadline:
            return (
                f"**{fmt.name}.** ⏳ Preparation: {fmt.prep_minutes} minutes, ending "
                f"{ts(debate.state.deadline)}; the pre-debate vote is open meanwhile. The first "
                "speech begins when it ends (or when the moderator presses **End preparation**)."
            )
        return f"**{fmt.name}.** Press **Next phase** on the panel to start the first speech."

    # ------------------------------------------------------------- transitions

    async def _format_transition(
        self, tx: Transaction, debate: Debate, fmt: Format, action: str, now: datetime
    ) -> tuple[machine.State, Waiting | None] | None:
        """A formatted debate's advance, skip or call; None: the classic code handles it."""
        state = debate.state
        if action == "advance":
            if state.phase == "post_vote" and debate.post_poll_id is None:
                # Another click's transition is still opening the vote the result needs.
                raise machine.TransitionError(
                    "The post-debate vote is still being opened: try again in a moment."
                )
            return format_machine.advance(fmt, state), None
        if action == "skip":
            return format_machine.skip(fmt, state), None
        if action != "call":
            return None
        speech = format_machine.require_speech(fmt, state)
        side = format_machine.SIDE_LABELS[speech.side]
        entry = await store.next_waiting(tx, debate.id, "speaker", speech.side)
        if entry is None:
            raise machine.TransitionError(
                f"Nobody is waiting to speak {side}: {speech.title} is called from the "
                f"{side} queue (**Speak {side}** on the panel)."
            )
        return format_machine.give_floor(fmt, state, now, entry.user_id, speech.side), entry

    def _format_phase_text(self, debate: Debate) -> str | None:
        """The thread's announcement when a formatted debate moves to a speech."""
        fmt = self.formats.get(debate.format_id)
        state = debate.state
        if fmt is None or format_machine.is_classic(fmt.id) or state.speech_index is None:
            return None
        if state.phase != "speech":
            return None
        speech = fmt.speech(state.speech_index)
        side = format_machine.SIDE_LABELS[speech.side]
        pois = (
            f"Points of information after the first {clock(fmt.poi_protected_seconds)} and "
            f"not in the last {clock(fmt.poi_protected_seconds)} (**Offer POI** on the panel)."
            if speech.poi
            else "No points of information in this speech."
        )
        return (
            f"**{format_machine.speech_title(fmt, state.speech_index)}** — "
            f"{clock(speech.seconds)}. The moderator calls the first member waiting to speak "
            f"{side}. {pois}"
        )

    def _speech_role(self, debate: Debate) -> str | None:
        fmt = self.formats.get(debate.format_id)
        if fmt is None or format_machine.is_classic(fmt.id):
            return None
        speech = format_machine.current_speech(fmt, debate.state)
        return speech.title if speech else None

    async def _format_view(self, debate: Debate) -> FormatView | None:
        fmt = self.formats.get(debate.format_id)
        if fmt is None:
            return None
        if format_machine.is_classic(fmt.id):
            return FormatView(fmt)
        waiting = await poi_store.pending(self.bot.db, debate.id)
        current = waiting is not None and waiting.speech_seq == debate.state.seq
        return FormatView(
            fmt,
            await poi_store.counts(self.bot.db, debate.id),
            waiting.user_id if current and waiting else None,
        )

    async def _post_poi_summary(self, debate: Debate) -> None:
        fmt = self.formats.get(debate.format_id)
        if fmt is None or format_machine.is_classic(fmt.id):
            return
        text = summary_text(fmt, await poi_store.counts(self.bot.db, debate.id))
        if text:
            await self.say(debate, text)

    # ------------------------------------------------------------- preparation

    async def _prep_tick(self, debate: Debate) -> None:
        """Preparation's timer: when it ends the first speech begins (once, even racing a
        moderator's click: the state is written only if the row did not move on)."""
        if debate.state.phase != "prep" or not debate.state.timer_running:
            return
        deadline = debate.state.deadline
        assert deadline is not None
        if deadline > self.bot.now():
            self.arm_debate(debate.id, at=deadline)
            return
        fmt = self.format_of(debate)
        assert fmt is not None
        async with self.bot.db.transaction() as tx:
            moved = await store.save_state(
                tx, debate, format_machine.advance(fmt, debate.state), self.bot.now()
            )
            updated = await store.require_debate(tx, debate.id, None)
        if not moved:
            self.arm_debate(debate.id)  # a moderator moved it meanwhile: look again
            return
        await self.say(updated, "⏰ Preparation time is over.")
        await self.after_transition(debate, updated, "advance")  # re-arms the timer for the speech

    # -------------------------------------------------------- points of information

    async def _offer_poi(self, interaction: discord.Interaction, debate: Debate) -> None:
        fmt = self.format_of(debate)
        if fmt is None:
            raise UserError("Oxford-style debates take no points of information.")
        user_id, now, state = interaction.user.id, self.bot.now(), debate.state
        with refusals(ValueError):  # the domain's refusals
            speech = format_machine.check_offer(fmt, state, now, user_id)
        async with self.bot.db.transaction() as tx:
            poi_id = await poi_store.offer(
                tx, debate.id, state.speech_index or 0, state.seq, user_id, now
            )
        if poi_id is None:
            waiting = await poi_store.pending(self.bot.db, debate.id)
            if waiting is not None and waiting.user_id == user_id:
                raise UserError("Your point of information is already waiting for an answer.")
            if waiting is not None:
                raise UserError(
                    "A point of information is already waiting for the speaker's answer: "
                    "one at a time. Try again once it is answered."
                )
            raise UserError("The speech changed a moment ago: look at the panel and try again.")
        speaker = state.speaker_id or 0
        await interaction.response.send_message(
            f"Your point of information is offered to <@{speaker}>: they accept or decline "
            "in the thread.",
            ephemeral=True,
        )
        if debate.thread_id is not None:
            try:
                message = await self.bot.get_partial_messageable(debate.thread_id).send(
                    offer_text(user_id, speaker, speech.title),
                    view=offer_view(debate.id, poi_id),
                    allowed_mentions=discord.AllowedMentions(
                        everyone=False, roles=False, users=[discord.Object(speaker)]
                    ),
                )
            except discord.HTTPException as exc:
                log.warning("could not post a POI in debate %d: %s", debate.id, exc)
            else:
                async with self.bot.db.transaction() as tx:
                    await poi_store.set_message(tx, poi_id, message.id)
        await self.refresh_panel(debate.id)

    async def on_poi_answer(
        self, interaction: discord.Interaction, debate_id: int, poi_id: int, accepted: bool
    ) -> None:
        """Accept or Decline under an offered point: the speaker's (or a moderator's) call."""
        poi = await poi_store.get(self.bot.db, poi_id)
        debate = await store.get_debate(self.bot.db, debate_id)
        if poi is None or debate is None or poi.debate_id != debate_id:
            raise UserError("This point of information is no longer on record.")
        speaker, now = debate.state.speaker_id, self.bot.now()
        stale = debate.state.phase != "speech" or poi.speech_seq != debate.state.seq
        if poi.answer == "lapsed" or (poi.answer is None and stale):
            # Its speech is over: whoever presses, the message says so and loses its buttons.
            async with self.bot.db.transaction() as tx:
                await poi_store.answer(tx, poi_id, "lapsed", None, now)
            await interaction.response.edit_message(
                content=answered_text(poi.user_id, 0, "lapsed"),
                view=None,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        if interaction.user.id != speaker and not await is_moderator(interaction):
            who = f"the speaker (<@{speaker}>)" if speaker else "the speaker"
            raise UserError(f"Only {who} or a moderator can answer this point of information.")
        if poi.answer is not None:
            raise UserError(f"This point of information was already {poi.answer}.")
        answer = "accepted" if accepted else "declined"
        async with self.bot.db.transaction() as tx:
            done = await poi_store.answer(tx, poi_id, answer, interaction.user.id, now)
        if not done:
            raise UserError("This point of information was answered a moment ago.")
        await interaction.response.edit_message(
            content=answered_text(poi.user_id, interaction.user.id, answer),
            view=None,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        if answer == "accepted":
            await self.say(
                debate,
                f"🙋 Point of information accepted: <@{poi.user_id}> has the floor for a short "
                f"question; <@{speaker}>'s time keeps running.",
            )
            await self.stage_poi(debate, poi.user_id)  # on a Stage: the offerer comes up
        await self.refresh_panel(debate_id)
