"""Nominations by reaction: the listener that counts a message's reactions and queues it.

Raw reaction events, so a message the bot never cached (posted before a restart, or pushed
out of the cache) counts the same. What counts is read from Discord at the moment, not kept
here: the reaction's users minus bots and the message's author. So a reaction removed since
no longer counts, reactions given while the bot was offline do, and herbot stores nobody's
reactions. It costs a REST call or two per matching reaction until the message is decided;
after that (the ``quote_nominations`` row) a reaction costs one indexed read and nothing on
Discord. A per-message lock keeps a burst of reactions from fetching the same message many
times; the database key, not the lock, makes "queued once" hold (several processes too).

The quote joins the queue as a saved message does ("Save as quote"): the author's words,
their display name, the jump link, ``#channel, date`` as locator, and no submitter (the
community nominated it; the member whose reaction reached the threshold is kept in the
nomination row). Nothing is posted in the channel: moderators see it in ``/quote review``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot import cache_sync, privacy
from cogs.quotes import message_link, nominations, nominations_store, review_store
from cogs.quotes.config import QuotesConfig
from cogs.quotes.nominations import Nomination, NominationRule
from cogs.quotes.review_store import AlreadySaved, Submission

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

# Messages found not nominable for now (author opted out) in this process: not fetched again
# on every further reaction. Bounded; forgotten on restart (then checked once more).
PASSED_MAX = 2048


class QuoteNominations(commands.Cog):
    def __init__(self, bot: Herbot) -> None:
        self.bot = bot
        self.config = QuotesConfig.from_settings(bot.settings)
        self._rules: dict[int, NominationRule | None] = {}
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._passed: OrderedDict[int, None] = OrderedDict()

    @commands.Cog.listener()
    async def on_herbot_cache_changed(
        self, name: str, guild_id: int | None = None, key: str | None = None
    ) -> None:
        """A setting changed, here or in another process (bot/cache_sync.py)."""
        if name != cache_sync.GUILD_SETTINGS or key not in (None, *nominations.KEYS):
            return
        if guild_id is None:
            self._rules.clear()  # another process: any server's rule may have changed
        else:
            self._rules.pop(guild_id, None)

    async def rule(self, guild_id: int) -> NominationRule | None:
        """The server's rule, read once and then kept until a setting changes."""
        if guild_id not in self._rules:
            self._rules[guild_id] = await nominations_store.rule_for(self.bot.db, guild_id)
        return self._rules[guild_id]

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if not self.bot.intents.message_content:
            return  # the message's words would arrive blank (/quote nominations says so)
        if payload.guild_id is None or payload.message_id in self._passed:
            return
        if payload.member is not None and payload.member.bot:
            return  # a bot's reaction never counts, so it cannot be the one that reaches N
        rule = await self.rule(payload.guild_id)
        if rule is None or not rule.is_the_emoji(str(payload.emoji)):
            return
        channel = self.bot.get_channel(payload.channel_id)
        if not rule.watches(payload.channel_id, getattr(channel, "parent_id", None)):
            return
        key = (payload.guild_id, payload.message_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await self._consider(payload, rule)
        except discord.HTTPException as exc:  # gone, or no longer readable: nothing to do
            log.info("nomination check of %s skipped: %s", payload.message_id, exc)
        finally:
            if not lock.locked():
                self._locks.pop(key, None)

    async def _consider(
        self, payload: discord.RawReactionActionEvent, rule: NominationRule
    ) -> None:
        assert payload.guild_id is not None
        if await nominations_store.decided(self.bot.db, payload.guild_id, payload.message_id):
            return
        message = await self._message(payload)
        reaction = next((r for r in message.reactions if rule.is_the_emoji(str(r.emoji))), None)
        if reaction is None or reaction.count < rule.threshold:
            return  # even counting bots and the author it is short: no need to list users
        reactors = [(u.id, u.bot) async for u in reaction.users(limit=None)]
        count = nominations.qualifying(reactors, message.author.id)
        if count < rule.threshold:
            return
        await self._nominate(message, payload, count)

    async def _message(self, payload: discord.RawReactionActionEvent) -> discord.Message:
        cached = discord.utils.get(self.bot.cached_messages, id=payload.message_id)
        if cached is not None:
            return cached
        channel = self.bot.get_partial_messageable(payload.channel_id, guild_id=payload.guild_id)
        return await channel.fetch_message(payload.message_id)

    async def _nominate(
        self, message: discord.Message, payload: discord.RawReactionActionEvent, count: int
    ) -> None:
        assert payload.guild_id is not None
        author = message.author
        text = message.content.strip()
        nomination = Nomination(
            guild_id=payload.guild_id,
            channel_id=message.channel.id,
            message_id=message.id,
            author_id=author.id,
            nominated_by=payload.user_id,
            reactions=count,
            written_at=message.created_at,
        )
        never = (
            "a bot's or webhook's message"
            if author.bot or message.webhook_id is not None
            else "no text"
            if not text
            else "too long"
            if len(text) > self.config.max_text_length
            else None
        )
        if never is not None:
            try:
                async with self.bot.db.transaction() as tx:
                    await nominations_store.claim(tx, nomination, "ignored")
            except privacy.Withheld:  # opted out or forgotten: no row may name them
                self._pass(message.id)
                return
            log.info("message %s reached %s reactions but has %s", message.id, count, never)
            return
        # A fetched message's channel is partial (no name): the cached channel has it.
        channel = self.bot.get_channel(message.channel.id) or message.channel
        submission = Submission(
            text=text,
            speaker=author.display_name,
            guild_id=payload.guild_id,
            submitted_by=None,
            origin="message",
            locator=message_link.locator(
                getattr(channel, "name", None), f"{message.created_at:%Y-%m-%d}"
            ),
            author_id=author.id,
            message_link=message.jump_url,
            written_at=message.created_at,
        )
        outcome: nominations.Outcome = "queued"
        quote_id: str | None = None
        try:
            async with self.bot.db.transaction() as tx:
                # The claim asks the privacy ledger inside the transaction: an opt-out or a
                # forget committed a moment ago (in any process) holds.
                if not await nominations_store.claim(tx, nomination, "queued"):
                    return  # another reaction queued it a moment ago
                try:
                    quote_id = await review_store.submit_pending(tx, submission)
                except AlreadySaved as exc:  # saved by hand before: nothing new to review
                    outcome, quote_id = "already_saved", exc.quote_id
                await nominations_store.settle(tx, payload.guild_id, message.id, outcome, quote_id)
        except privacy.Withheld:  # nothing written: no row names them
            self._pass(message.id)
            return
        log.info("message %s nominated (%s reactions): %s %s", message.id, count, outcome, quote_id)

    def _pass(self, message_id: int) -> None:
        self._passed[message_id] = None
        while len(self._passed) > PASSED_MAX:
            self._passed.popitem(last=False)
