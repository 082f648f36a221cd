"""/asked: the curators' side of /ask's loop (knowledge gaps, stats) and the answer ratings.

``/asked gaps`` (moderators) lists what members asked that /ask could not answer well, grouped
with similar questions, most asked first, with **Answer with a quote**, **Out of scope** and
**Dismiss** per group; ``/asked answer`` does the first with autocomplete over the server's
and the curated quotes. ``/asked stats`` counts. Discord lets a command have options or
subcommands, not both, so the loop lives beside ``/ask`` rather than under it. The rules
are :mod:`cogs.quotes.ask.gaps`, the SQL :mod:`cogs.quotes.ask.gaps_store`.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import ensure_moderator, moderator_only, served_guild_id, server_only
from bot.errors import UserError
from bot.presentation import AUTOCOMPLETE_MAX, truncate
from cogs.quotes import quote_store, submission
from cogs.quotes.ask import gaps, gaps_store, sessions
from cogs.quotes.ask import gaps_ui as ui
from cogs.quotes.ask.answerability import Question
from cogs.quotes.ask.hybrid import Retriever
from cogs.quotes.review_store import Submission
from cogs.quotes.ui import choice_label

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

GONE = "That group of questions is no longer open: run /asked gaps again."


def _guild(interaction: discord.Interaction) -> int:
    guild_id = served_guild_id(interaction)
    if guild_id is None:  # server_only() refused it already
        raise UserError("That works only in a server.")
    return guild_id


class Asked(
    commands.GroupCog, group_name="asked", description="What members asked /ask: gaps, stats"
):
    def __init__(self, bot: Herbot, retriever: Retriever) -> None:
        self.bot = bot
        self.retriever = retriever  # /ask's: the rated question's vector, when still cached
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.components.add(self, ui.GapButton, ui.GapsPageButton, ui.RateButton)

    async def cog_unload(self) -> None:
        self.bot.components.remove(ui.GapButton, ui.GapsPageButton, ui.RateButton)

    async def _groups(self, guild_id: int) -> list[gaps.Group]:
        return gaps.group(await gaps_store.open_gaps(self.bot.db, guild_id))

    async def _group(self, guild_id: int, gap_id: int) -> gaps.Group:
        found = gaps.group_of(await self._groups(guild_id), gap_id)
        if found is None:
            raise UserError(GONE)
        return found

    async def _with_vectors(self, group: gaps.Group) -> list[gaps.Gap]:
        """The group's gaps, each with a vector when the model can give one now (a gap
        recorded while /ask was still loading has none): what is learned must match other
        words, not only the same ones."""
        out = []
        for gap in group.gaps:
            if gap.vector is None:
                vector = await self.retriever.encode(Question.parse(gap.question))
                gap = dataclasses.replace(gap, vector=vector)
            out.append(gap)
        return out

    # -- the gap list -----------------------------------------------------------------------

    @app_commands.command(name="gaps", description="Moderators: questions /ask could not answer")
    @moderator_only()
    @server_only()
    async def gaps_command(self, interaction: discord.Interaction) -> None:
        content, view = ui.gaps_message(await self._groups(_guild(interaction)), 0)
        await interaction.response.send_message(
            content, view=view or discord.utils.MISSING, ephemeral=True
        )

    async def gaps_page(self, interaction: discord.Interaction, page: int) -> None:
        await ensure_moderator(interaction)
        content, view = ui.gaps_message(await self._groups(_guild(interaction)), page)
        await interaction.response.edit_message(content=content, view=view)

    async def gap_action(self, interaction: discord.Interaction, action: str, gap_id: int) -> None:
        await ensure_moderator(interaction)
        guild_id = _guild(interaction)
        group = await self._group(guild_id, gap_id)
        if action == "answer":
            await interaction.response.send_modal(
                ui.AnswerGapModal(self, gap_id, group.lead.question)
            )
            return
        if action not in ("scope", "dismiss"):
            raise UserError("That button is not known any more: run /asked gaps again.")
        learned = await self._with_vectors(group) if action == "scope" else group.gaps
        async with self.bot.db.transaction() as tx:
            if action == "scope":
                await gaps_store.learn(
                    tx, guild_id, "out_of_scope", learned, interaction.user.id, self.bot.now()
                )
            done = await gaps_store.resolve(
                tx, guild_id, group.ids, "out_of_scope" if action == "scope" else "dismissed"
            )
        said = (
            "/ask now declines such questions in this server" if action == "scope" else "dismissed"
        )
        content, view = ui.gaps_message(await self._groups(guild_id), 0)
        await interaction.response.edit_message(content=content, view=view)
        await interaction.followup.send(
            f"“{truncate(group.lead.question, 200)}” ({done} question"
            f"{'s' if done != 1 else ''}): {said}.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    # -- answering a gap --------------------------------------------------------------------

    @app_commands.command(name="answer", description="Moderators: answer a knowledge gap")
    @app_commands.describe(
        gap="the group of questions (most asked first)",
        quote="the quote that answers it (type words of it)",
    )
    @moderator_only()
    @server_only()
    async def answer_command(
        self,
        interaction: discord.Interaction,
        gap: app_commands.Range[int, 1],
        quote: app_commands.Range[str, 1, 80],
    ) -> None:
        await self.answer_gap(interaction, gap, quote_id=quote)

    @answer_command.autocomplete("gap")
    async def _gap_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        guild_id = served_guild_id(interaction)
        if guild_id is None:
            return []
        typed = current.casefold()
        return [
            app_commands.Choice(name=truncate(f"{g.asked}× {g.lead.question}", 100), value=g.id)
            for g in await self._groups(guild_id)
            if typed in " ".join(g.questions).casefold()
        ][:AUTOCOMPLETE_MAX]

    @answer_command.autocomplete("quote")
    async def _quote_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = await quote_store.search(
            self.bot.db, served_guild_id(interaction), current, limit=AUTOCOMPLETE_MAX
        )
        return [app_commands.Choice(name=choice_label(q), value=q.id) for q in found]

    async def answer_gap(
        self,
        interaction: discord.Interaction,
        gap_id: int,
        *,
        quote_id: str = "",
        text: str = "",
        speaker: str = "",
    ) -> None:
        """The gap's group is answered by an existing quote, or by a new server quote that
        goes to the review queue (the usual submission path) and answers once approved."""
        await ensure_moderator(interaction)
        guild_id = _guild(interaction)
        group = await self._group(guild_id, gap_id)
        if quote_id:
            found = await quote_store.get(self.bot.db, quote_id, guild_id)
            if found is None:
                raise UserError(
                    f"There is no quote `{truncate(quote_id, 64)}` here. "
                    "Use /asked answer and pick one of the suggestions."
                )
            quote_id, note = found.id, ""
        elif text and speaker:
            quote_id = await submission.queue_for_review(
                self.bot.db,
                Submission(
                    text=text, speaker=speaker, guild_id=guild_id, submitted_by=interaction.user.id
                ),
            )
            note = " once it is approved (it waits in /quote review)"
        else:
            raise UserError("Give an existing quote's id, or a new quote's words and speaker.")
        learned = await self._with_vectors(group)
        async with self.bot.db.transaction() as tx:
            await gaps_store.learn(
                tx, guild_id, "taught", learned, interaction.user.id, self.bot.now(), quote_id
            )
            await gaps_store.resolve(tx, guild_id, group.ids, "answered", quote_id)
        await interaction.response.send_message(
            f"Taught: questions like “{truncate(group.lead.question, 200)}” are answered with "
            f"`{quote_id}` in this server{note}.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    # -- stats and ratings ------------------------------------------------------------------

    @app_commands.command(name="stats", description="Moderators: /ask asked, answered, rated")
    @moderator_only()
    @server_only()
    async def stats_command(self, interaction: discord.Interaction) -> None:
        found = await gaps_store.stats(self.bot.db, _guild(interaction))
        await interaction.response.send_message(
            ui.stats_text(found), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )

    async def rate(self, interaction: discord.Interaction, session_id: str, helpful: bool) -> None:
        """Helpful / Not helpful: one per member per answer (the key), changed by clicking the
        other; Not helpful makes the question a knowledge gap for the server's curators."""
        session = await sessions.get(self.bot.db, session_id)
        if session is None:
            raise UserError("That answer is no longer stored: ask again with /ask.")
        guild_id = served_guild_id(interaction)
        async with self.bot.db.transaction() as tx:
            changed = await gaps_store.rate(
                tx, session_id, interaction.user.id, session.guild_id, helpful, self.bot.now()
            )
            if changed and not helpful and guild_id is not None and guild_id == session.guild_id:
                await gaps_store.record(
                    tx,
                    guild_id,
                    interaction.user.id,
                    session.question,
                    self.retriever.vector_of(Question.parse(session.question)),
                    "unhelpful",
                    self.bot.now(),
                )
        said = "helpful" if helpful else "not helpful"
        await interaction.response.send_message(
            f"Thanks: you rated this answer {said}."
            + ("" if changed else " (as before)")
            + ("" if helpful else " The server's curators will see the question."),
            ephemeral=True,
        )
