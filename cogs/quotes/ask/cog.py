"""/ask: answers from the quote store, with citations.

Public by default: a cited passage is something to discuss, and the channel sees where it
came from; ``private: True`` answers only the asker. "More results" and "Context" answer
only the member who clicks (ephemeral), so browsing never floods the channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import served_guild_id
from bot.errors import UserError
from cogs.quotes.ask import answer as answers
from cogs.quotes.ask import gaps_store, sessions
from cogs.quotes.ask import ui as ask_ui
from cogs.quotes.ask.answerability import searchable
from cogs.quotes.ask.hybrid import Retriever

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

NO_WORDS = (
    "That question has no words to search for (only punctuation, emoji or mentions). "
    "Ask with words, e.g. /ask Who voices Samantha?"
)


class Ask(commands.Cog):
    def __init__(self, bot: Herbot) -> None:
        self.bot = bot
        self.retriever = Retriever(bot.db, claim_owner=bot.claim_owner)
        self.phrasebooks = gaps_store.Phrasebooks()  # what each server taught, in memory
        self._seconds = bot.metrics.histogram(
            "herbot_ask_seconds", "/ask: from the question to its ranked passages"
        )
        self._asked = bot.metrics.counter(
            "herbot_ask", "/ask questions by outcome: answered, or declined", ("outcome",)
        )
        self._warmup: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.bot.components.add(self, ask_ui.MoreButton, ask_ui.ContextButton)
        async with self.bot.db.transaction() as tx:
            await sessions.prune(tx, self.bot.now())
            await gaps_store.prune(tx, self.bot.now())
        # The model (about a second) and any missing passage vectors load in the background;
        # until then /ask answers with keyword search.
        self._warmup = asyncio.create_task(_warm_up(self.retriever), name="ask-warmup")

    async def cog_unload(self) -> None:
        self.bot.components.remove(ask_ui.MoreButton, ask_ui.ContextButton)
        if self._warmup is not None:
            self._warmup.cancel()

    @commands.Cog.listener()
    async def on_herbot_cache_changed(
        self, name: str, guild_id: int | None = None, key: str | None = None
    ) -> None:
        """A server taught /ask (here or in another process, bot/cache_sync.py)."""
        if name == gaps_store.LEARNED:
            self.phrasebooks.changed(guild_id)

    def _note(self) -> str | None:
        if self.retriever.state == "loading":
            return "meaning search is still loading"
        if self.retriever.index is not None and self.retriever.index.indexing:
            return "meaning search is still indexing new quotes"
        return None

    @app_commands.command(
        name="ask", description="Ask a question; get cited passages from the quote store"
    )
    # User-installable: in DMs and servers without herbot it answers from the curated store.
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.describe(
        question="What you want to know, e.g. 'Who voices Samantha?'",
        private="Only you see the answer (default: the channel sees it)",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 3, 300],
        private: bool = False,
    ) -> None:
        question = " ".join(question.split())
        if len(question) < 3:
            raise UserError("Ask a question of at least 3 characters.")
        if not searchable(question):  # refused before anything is posted: only the asker sees
            raise UserError(NO_WORDS)
        await interaction.response.defer(thinking=True, ephemeral=private)
        guild_id = served_guild_id(interaction)
        started = time.perf_counter()
        answer = await answers.ask(
            self.retriever, question, guild_id, limit=ask_ui.PAGE, phrasebooks=self.phrasebooks
        )
        self._seconds.observe(time.perf_counter() - started)
        declined = answer.declined or not answer.results
        self._asked.labels("declined" if declined else "answered").inc()
        now = self.bot.now()
        lead = None if declined else answer.results[0].passage.id
        async with self.bot.db.transaction() as tx:
            session_id = await sessions.create(
                tx, question, guild_id, interaction.user.id, now, answer_id=lead
            )
            gap = answer.gap
            if gap is not None and guild_id is not None:
                # One INSERT in the same transaction: the server's curators see the question.
                await gaps_store.record(
                    tx, guild_id, interaction.user.id, question, answer.vector, gap, now
                )
            await sessions.prune(tx, now)  # kept 90 days, however long we run
            await gaps_store.prune(tx, now)
        card = ask_ui.answer_card(answer, session_id, note=self._note())
        await interaction.edit_original_response(view=card)

    async def send_more(
        self, interaction: discord.Interaction, session_id: str, offset: int
    ) -> None:
        """ "More results": the next page of the stored question, for the clicker only."""
        session = await sessions.get(self.bot.db, session_id)
        if session is None:
            raise UserError("That question is no longer stored: ask it again with /ask.")
        await interaction.response.defer(thinking=True, ephemeral=True)
        answer = await answers.ask(
            self.retriever,
            session.question,
            session.guild_id,
            limit=ask_ui.PAGE,
            offset=offset,
            phrasebooks=self.phrasebooks,
        )
        if answer.declined or not answer.results:
            await interaction.edit_original_response(
                content="No more passages are relevant to that question."
            )
            return
        card = ask_ui.answer_card(answer, session.id, note=self._note())
        await interaction.edit_original_response(view=card)

    async def send_context(self, interaction: discord.Interaction, quote_id: str) -> None:
        """ "Context": the neighbouring passages of the same source, for the clicker only."""
        found = await answers.context(self.bot.db, quote_id, served_guild_id(interaction))
        if found is None:
            raise UserError("That passage is no longer in the quote store.")
        await interaction.response.send_message(embed=ask_ui.context_embed(*found), ephemeral=True)


async def _warm_up(retriever: Retriever) -> None:
    try:
        await retriever.start(background=True)
    except Exception:
        retriever.state = "unavailable"
        log.exception("/ask could not load its meaning search; keyword search only")
