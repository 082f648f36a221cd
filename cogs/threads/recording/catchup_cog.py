"""Catch-up after downtime: on start and on resume, fetch what recorded conversations missed.

When the process starts (before the gateway connects) every active recording gets a gap
whose resume point is just before its last ``catchup_recheck`` kept messages; a lost
gateway connection opens gaps too, counting as kept only what was kept before it was lost.
Once the gateway is ready or resumed, the gaps are fetched: the most recently active
conversation first, ``catchup_concurrency`` at a time (discord.py waits out HTTP 429
itself), one page of history at a time, newest first. Each page is stored in one
transaction through the recorder's own writer (:func:`recorder.write_or_quarantine`: the
privacy ledger's opt-outs and forgets apply as to live messages), its messages converted by
the live path's :func:`cog.record_of`, and the gap moves forward in that same transaction:
a catch-up interrupted by another crash goes on from its last stored page.

Bounds: ``catchup_max`` messages per conversation (the newest missed are kept, next to what
is recorded live; the rest of that gap is given up and the log says so) and
``catchup_per_start`` over all of them in one pass (what is left waits, stored, for the
next start or resume). Only the process that runs
a guild's shard catches its conversations up, once: each gap is claimed (bot/claims.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot import claims
from cogs.threads.config import ThreadsConfig
from cogs.threads.recording import catchup_store
from cogs.threads.recording.catchup import Seen, check_range, page_size, plan_page
from cogs.threads.recording.catchup_store import Gap
from cogs.threads.recording.cog import RECORDED_TYPES, ThreadRecording, record_of
from cogs.threads.recording.recorder import write_or_quarantine
from cogs.threads.records import stamp

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)


@dataclass(slots=True)
class Pass:
    """What one catch-up pass did (the log line; tests read it)."""

    conversations: int = 0
    fetched: int = 0
    recovered: int = 0
    edited: int = 0
    deleted: int = 0
    truncated: list[int] = field(default_factory=list)  # conversations over catchup_max
    waiting: int = 0  # gaps left for the next start (catchup_per_start spent)


class CatchUp(commands.Cog):
    def __init__(self, bot: Herbot, recording: ThreadRecording, config: ThreadsConfig) -> None:
        self.bot = bot
        self.recording = recording
        self.config = config
        self._down_since: datetime | None = None
        self._task: asyncio.Task[Pass] | None = None
        self._again = False
        self._reopen_before: datetime | None = None  # a loss whose gaps are still to open
        self._left = 0
        self.last: Pass | None = None

    @property
    def enabled(self) -> bool:
        return self.config.catchup_max > 0 and self.recording.live

    async def cog_load(self) -> None:
        if not self.enabled:
            return
        async with self.bot.db.transaction() as tx:  # before the gateway: all kept is old
            await catchup_store.open_gaps(
                tx, now=self.bot.now(), recheck=self.config.catchup_recheck
            )
            # A gap left pending by a process that died mid-catch-up is still claimed under
            # its lease; this start (the guild's shard owner now) takes it over.
            mine = [
                g for g in await catchup_store.pending_gaps(tx) if self.bot.owns_guild(g.guild_id)
            ]
            await catchup_store.take_over(tx, mine, now=self.bot.now())

    async def cog_unload(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()  # resumable: each stored page moved its gap forward

    @commands.Cog.listener()
    async def on_disconnect(self) -> None:
        if self._down_since is None:
            self._down_since = self.bot.now()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self._reconnected()

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        await self._reconnected()

    async def _reconnected(self) -> None:
        if not self.enabled:
            return
        if self._down_since is not None:
            since, self._down_since = self._down_since, None
            await self.recording.recorder.flush()  # what arrived before the loss is kept
            if self._reopen_before is None or since < self._reopen_before:
                self._reopen_before = since
        if self._task is not None and not self._task.done():
            # The running pass may still hold a gap of the same conversation (a gap is one
            # per conversation and resume point): the new gaps open once it has ended.
            self._again = True
            return
        await self._open_reconnect_gaps()
        self._task = asyncio.create_task(self._passes(), name="herbot-recording-catchup")

    async def _open_reconnect_gaps(self) -> None:
        if self._reopen_before is None:
            return
        since, self._reopen_before = self._reopen_before, None
        async with self.bot.db.transaction() as tx:
            await catchup_store.open_gaps(
                tx, now=self.bot.now(), recheck=self.config.catchup_recheck, before=since
            )

    async def _passes(self) -> Pass:
        done = await self.run()
        while self._again:
            self._again = False
            await self._open_reconnect_gaps()
            done = await self.run()
        return done

    # --- one pass ------------------------------------------------------------------------

    async def run(self) -> Pass:
        """Fetch every pending gap of the guilds this process runs; what it did."""
        gaps = [
            g
            for g in await catchup_store.pending_gaps(self.bot.db)
            if self.bot.owns_guild(g.guild_id)
        ]
        done = Pass()
        self._left = self.config.catchup_per_start
        limit = asyncio.Semaphore(self.config.catchup_concurrency)

        async def one(gap: Gap) -> None:
            async with limit:
                try:
                    await self._catch_up(gap, done)
                except Exception:
                    # What was stored stays stored, the gap's cursor with it: the next start
                    # or resume goes on from there (its claim is given back now).
                    log.exception("catch-up of conversation %s failed", gap.channel_id)
                    async with self.bot.db.transaction() as tx:
                        await claims.release(tx, self._key(gap), self.bot.claim_owner)

        await asyncio.gather(*(one(g) for g in gaps))  # started newest first
        self.last = done
        if gaps:
            log.info(
                "catch-up: %d conversations, %d messages fetched, %d recovered, %d edits, "
                "%d deleted while down, %d over the bound of %d, %d waiting for the next start",
                done.conversations,
                done.fetched,
                done.recovered,
                done.edited,
                done.deleted,
                len(done.truncated),
                self.config.catchup_max,
                done.waiting,
            )
        return done

    async def _catch_up(self, gap: Gap, done: Pass) -> None:
        key = self._key(gap)
        owner = self.bot.claim_owner
        async with self.bot.db.transaction() as tx:
            taken = await claims.claim(
                tx, key, owner=owner, now=self.bot.now(), guild_id=gap.guild_id, lease=CLAIM_LEASE
            )
        if taken is None:
            return  # another process is on it (or did it)
        channel = await self._channel(gap.channel_id)
        if channel is None:
            log.warning("catch-up: conversation %s is gone or hidden; skipped", gap.channel_id)
            await self._close(gap, key)
            return
        done.conversations += 1
        before, fetched = gap.before_id, gap.fetched
        while True:
            limit = page_size(fetched, self.config.catchup_max, self._left)
            if limit == 0:
                if fetched >= self.config.catchup_max:
                    done.truncated.append(gap.channel_id)
                    log.warning(
                        "catch-up: conversation %s missed more than %d messages; the newest "
                        "%d are kept, those between messages %s and %s are not",
                        gap.channel_id,
                        self.config.catchup_max,
                        fetched,
                        gap.after_id,
                        before,
                    )
                    await self._close(gap, key)
                else:
                    done.waiting += 1
                    async with self.bot.db.transaction() as tx:
                        await claims.release(tx, key, owner)
                return
            self._left -= limit
            page = [
                m
                async for m in channel.history(
                    limit=limit,
                    before=None if before is None else discord.Object(before),
                    oldest_first=False,
                )
            ]
            self._left += limit - len(page)
            before, ended = await self._store_page(gap, before, page, limit, done)
            fetched += len(page)
            if ended:
                async with self.bot.db.transaction() as tx:
                    await catchup_store.close_gap(tx, gap)
                    await claims.finish(tx, key, owner, self.bot.now())
                return

    async def _store_page(
        self, gap: Gap, before: int | None, page: list[discord.Message], limit: int, done: Pass
    ) -> tuple[int | None, bool]:
        """Store one page as if it arrived live; the gap's next cursor, and whether the gap
        is fetched down to its resume point."""
        seen = [Seen(m.id, m.edited_at) for m in page]
        by_id = {m.id: m for m in page}
        low, high = check_range(gap.after_id, before, seen, limit=limit)
        now = self.bot.now()
        async with self.bot.db.transaction() as tx:
            kept = await catchup_store.kept_between(tx, gap.channel_id, low, high)
            plan = plan_page(gap.after_id, before, seen, kept, limit=limit)
            batch: list[tuple[str, Any]] = []
            new: list[int] = []
            for message_id in plan.new:
                message = by_id[message_id]
                if self._recorded(message):
                    batch.append(("message", record_of(message)))
                    new.append(message_id)
            edited = [i for i in plan.edited if self._recorded(by_id[i])]
            for message_id in edited:
                message = by_id[message_id]
                assert message.edited_at is not None
                edit = {"message_id": message_id, "content": message.content}
                batch.append(("edit", edit | {"edited_at": stamp(message.edited_at)}))
            batch.extend(("delete", (i, stamp(now))) for i in plan.deleted)
            if batch:
                await write_or_quarantine(tx, batch, now=now, give_up=True)
            await catchup_store.mark_recovered(tx, new)
            await catchup_store.mark_deleted_while_down(tx, list(plan.deleted))
            await catchup_store.advance(tx, gap, plan.next_before, len(page))
        await self._save_files([by_id[i] for i in new if by_id[i].attachments], gap)
        done.fetched += len(page)
        done.recovered += len(new)
        done.edited += len(edited)
        done.deleted += len(plan.deleted)
        return plan.next_before, plan.ended

    async def _save_files(self, messages: list[discord.Message], gap: Gap) -> None:
        """Recovered messages' attachments are saved as live ones are (after their row is
        committed), where the recording saves attachments."""
        rec = self.recording.recordings.get(gap.channel_id)
        if not messages or rec is None or not await self.recording.saves_attachments(rec):
            return
        for message in messages:
            self.recording.save_later(message)

    @staticmethod
    def _key(gap: Gap) -> str:
        return f"threads-catchup:{gap.channel_id}:{gap.after_id}:{gap.opened_at}"

    def _recorded(self, message: discord.Message) -> bool:
        """The live path's filter (ThreadRecording.on_message): members' messages only,
        nothing of a member who opted out; the privacy ledger is asked again on write."""
        me = self.bot.user.id if self.bot.user else 0
        return (
            message.type in RECORDED_TYPES
            and message.author.id != me
            and message.author.id not in self.recording.recorder.opted_out
        )

    async def _channel(self, channel_id: int) -> Any:
        found = self.bot.get_channel(channel_id)
        if found is not None:
            return found
        try:
            return await self.bot.fetch_channel(channel_id)
        except (discord.NotFound, discord.Forbidden):
            return None

    async def _close(self, gap: Gap, key: str) -> None:
        async with self.bot.db.transaction() as tx:
            await catchup_store.close_gap(tx, gap)
            await claims.finish(tx, key, self.bot.claim_owner, self.bot.now())
