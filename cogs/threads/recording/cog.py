"""/record and the listeners that record threads and channels live.

Thin adapter: discord objects become :class:`MessageRecord` values for the batched
:class:`Recorder`; SQL is in :mod:`cogs.threads.recording.store`. Which recorded thread a
member means and whether they may read it is decided here, for /record and /transcript alike
(the ``Transcripts`` cog is given this cog when it is made).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot import cache_sync, guild_settings, privacy
from bot.checks import is_moderator, moderator_only
from bot.errors import UserError, bot_call, send_permission
from bot.presentation import AUTOCOMPLETE_MAX, CHOICE_NAME_LIMIT, plural, truncate
from bot.text import clean, is_snowflake
from cogs.threads import records
from cogs.threads.config import ThreadsConfig
from cogs.threads.recording import holdings, store
from cogs.threads.recording.recorder import Recorder
from cogs.threads.recording.ui import PurgeConfirmView
from cogs.threads.records import MessageRecord, Recording

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

FLUSH_KEY = "threads:flush"  # the recorder's next batched write (bot/timers.py)
RETENTION_KEY = "threads:retention"
RETENTION_EVERY = timedelta(hours=6)

RECORDED_TYPES = (
    discord.MessageType.default,
    discord.MessageType.reply,
    discord.MessageType.poll_result,
)
QUOTED_CHARS = 1000  # how much of a replied-to message a reply keeps


def is_card(message: discord.Message) -> bool:
    """One of herbot's own Components V2 cards or panels (its plain notices are not kept)."""
    return message.flags.components_v2 or bool(message.components)


AUTO_CHANNELS_TTL = 60.0


def notice(moderators_stop: bool = True) -> str:
    text = (
        "🔴 **This conversation is being recorded by herbot** for a lasting, searchable "
        "transcript (edits are kept as versions, deletions remove the text). "
        "Don't want your messages kept? Use `/privacy opt-out recording` — "
        "already recorded messages are redacted."
    )
    if moderators_stop:
        text += " Moderators can stop it with `/record stop`."
    return text


def record_of(message: discord.Message) -> MessageRecord:
    """A message as the recorder keeps it: the live path, the backfill and the catch-up."""
    ref = message.reference
    forward = ref is not None and ref.type is discord.MessageReferenceType.forward
    kind = message.type.name if message.type in RECORDED_TYPES else "default"
    reply_to = ref.message_id if ref is not None and ref.message_id and not forward else None
    quoted = ref.resolved if ref is not None and not forward else None
    quoted_author = quoted.author if isinstance(quoted, discord.Message) else None
    poll: dict[str, Any] | None
    if kind == "poll_result":
        poll = holdings.poll_result(message.embeds, reply_to)
    else:
        poll = holdings.poll(message.poll)
    return MessageRecord(
        message_id=message.id,
        channel_id=message.channel.id,
        guild_id=message.guild.id if message.guild else 0,
        author_id=message.author.id,
        author_name=clean(message.author.display_name),
        created_at=message.created_at,
        content=clean(message.content),  # backfilled history did not pass the gateway's
        reply_to=reply_to,
        attachments=holdings.attachments(message.attachments),
        embed_titles=tuple(clean(e.title) for e in message.embeds if e.title),
        kind=kind,
        embeds=holdings.embeds(message.embeds),
        forwarded=holdings.forwarded(message.message_snapshots, ref) if forward else None,
        poll=poll,
        components=holdings.components_text(message.components),
        stickers=holdings.stickers(message.stickers),
        reply_author_id=quoted_author.id if quoted_author is not None else None,
        reply_author_name=clean(quoted_author.display_name) if quoted_author else None,
        reply_content=(
            clean(quoted.content, QUOTED_CHARS) if isinstance(quoted, discord.Message) else None
        ),
        reactions=holdings.reactions(message.reactions),
    )


class ThreadRecording(commands.Cog):
    record = app_commands.Group(
        name="record", description="Record this thread or channel live", guild_only=True
    )

    def __init__(self, bot: Herbot, config: ThreadsConfig) -> None:
        self.bot = bot
        self.config = config
        self.recorder = Recorder(
            bot.db, flush_interval=config.flush_interval, max_batch=config.max_batch, now=bot.now
        )
        bot.metrics.gauge(
            "herbot_recorder_queued_messages",
            "Recorded messages, edits and deletions waiting for the recorder's next write",
            read=lambda: self.recorder.pending,
        )
        self.recordings: dict[int, Recording] = {}
        self._auto: dict[int, tuple[float, frozenset[int]]] = {}
        self._thread_state: dict[int, tuple[str, bool, bool]] = {}
        self._saving: set[asyncio.Task[int]] = set()  # attachment downloads under way
        # Posts a transcript in a channel: the Transcripts cog's, given when it is made.
        self.transcript_poster: (
            Callable[[Recording, discord.abc.Messageable], Awaitable[int]] | None
        ) = None

    # --- lifecycle -----------------------------------------------------------------------

    async def cog_load(self) -> None:
        db = self.bot.db
        self.recordings = {r.channel_id: r for r in await store.all_recordings(db)}
        self.recorder.opted_out = await privacy.opted_out_users(db, "record")
        self.recorder.attach()  # /privacy writes and forgets what is still queued
        # The flush timer is the scheduler's (bot/timers.py; not Recorder.start), so simcord's
        # virtual clock drives it in tests. It is armed only while something waits to be
        # written: an idle bot has no timer ticking every second. max_batch still flushes at
        # once.
        self.recorder.eager = True
        self.recorder.on_pending = self._arm_flusher
        if self.config.retention_days:
            self.bot.scheduler.schedule_at(RETENTION_KEY, self.bot.now(), self._retention)

    async def cog_unload(self) -> None:
        self.bot.scheduler.cancel_prefix("threads:")
        for task in list(self._saving):
            task.cancel()
        written = await self.recorder.close()
        self.recorder.detach()
        log.info("recorder closed; wrote %d queued items", written)

    def _arm_flusher(self) -> None:
        """The first queued item arms one write an interval later (the rest join it)."""
        if self.bot.scheduler.due_at(FLUSH_KEY) is None:
            when = self.bot.now() + timedelta(seconds=self.config.flush_interval)
            self.bot.scheduler.schedule_at(FLUSH_KEY, when, self._flush)

    async def _flush(self) -> None:
        try:
            await self.recorder.flush()
        except Exception:
            log.exception("recorder flush failed; %d items kept for retry", self.recorder.pending)
        if self.recorder.pending:  # kept for retry, or queued while writing
            self._arm_flusher()

    async def _retention(self) -> None:
        """Every 6 hours: recorded messages older than ``retention_days`` go."""
        self.bot.scheduler.schedule_at(
            RETENTION_KEY, self.bot.now() + RETENTION_EVERY, self._retention
        )
        if not self.bot.owns_guild(None):
            return  # one process purges for every guild: the one running shard 0
        async with self.bot.db.transaction() as tx:
            removed = await store.purge_older_than(
                tx, self.config.retention_days, now=self.bot.now()
            )
        if removed:
            log.info("retention: removed %d recorded messages", removed)

    # /privacy itself is the core's: see cogs.threads.privacy for this feature's part.

    @commands.Cog.listener()
    async def on_herbot_cache_changed(
        self, name: str, guild_id: int | None = None, key: str | None = None
    ) -> None:
        """What this cog caches changed, here or in another process (bot/cache_sync.py)."""
        if name == cache_sync.PRIVACY_OPTOUTS:
            self.recorder.opted_out = await privacy.opted_out_users(self.bot.db, "record")
        elif name == cache_sync.GUILD_SETTINGS and guild_id is not None:
            self._auto.pop(guild_id, None)
        elif name == cache_sync.GUILD_SETTINGS:
            self._auto.clear()  # another process: any server's channels may have changed

    # --- recording -----------------------------------------------------------------------

    def active(self, channel_id: int) -> bool:
        rec = self.recordings.get(channel_id)
        return rec is not None and rec.active

    @property
    def live(self) -> bool:
        """Whether messages arrive with their words: without the Message Content intent
        Discord blanks them (all but those mentioning herbot), so nothing is recorded, not
        even those, and no recording starts (``/record start`` says why: bot/intents.py)."""
        return self.bot.intents.message_content

    async def auto_channels(self, guild_id: int) -> frozenset[int]:
        cached = self._auto.get(guild_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < AUTO_CHANNELS_TTL:
            return cached[1]
        listed = await guild_settings.get(self.bot.db, guild_id, "record_channel_ids") or []
        ids = frozenset(cast(list[int], listed)) | self.config.record_channel_ids
        self._auto[guild_id] = (now, ids)
        return ids

    async def start(
        self,
        channel: discord.TextChannel | discord.VoiceChannel | discord.StageChannel | discord.Thread,
        *,
        reason: str,
        started_by: int | None,
        keep_unarchived: bool = False,
        restart_stopped: bool = True,
        announced: bool = False,
        save_attachments: bool | None = None,
    ) -> tuple[Recording, bool]:
        """Start recording ``channel``; a new start posts the notice unless ``announced``
        (``/record start`` posts it first: nothing is recorded where members cannot be told).
        """
        parent = channel.parent_id if isinstance(channel, discord.Thread) else None
        async with self.bot.db.transaction() as tx:
            rec, started = await store.start_recording(
                tx,
                channel_id=channel.id,
                guild_id=channel.guild.id,
                name=channel.name,
                parent_id=parent,
                reason=reason,
                started_by=started_by,
                now=self.bot.now(),
                keep_unarchived=keep_unarchived,
                restart_stopped=restart_stopped,
                save_attachments=save_attachments,
            )
        self.recordings[channel.id] = rec
        if started:
            log.info("recording %s (%s) started: %s", channel.id, channel.name, reason)
        if started and not announced:
            try:
                await channel.send(notice())
            except discord.HTTPException:
                log.warning("could not post the recording notice in %s", channel.id)
        return rec, started

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not self.live or message.guild is None or message.type not in RECORDED_TYPES:
            return
        own = self.bot.user is not None and message.author.id == self.bot.user.id
        if own and not is_card(message):
            return  # its notices; its cards are part of the conversation members saw
        channel = message.channel
        if channel.id not in self.recordings:
            if own:
                return  # herbot's own card starts no automatic recording
            auto = await self.auto_channels(message.guild.id)
            parent = getattr(channel, "parent_id", None)
            if channel.id not in auto and parent not in auto:
                return
            if isinstance(channel, discord.abc.PrivateChannel | discord.PartialMessageable):
                return  # a guild message is in a guild channel; discord.py types it loosely
            await self.start(channel, reason="channel", started_by=None, restart_stopped=False)
        if not self.active(channel.id) or message.author.id in self.recorder.opted_out:
            return
        self.recorder.add_message(record_of(message))
        if message.attachments and await self.saves_attachments(self.recordings[channel.id]):
            self.save_later(message)

    # --- saved attachments ---------------------------------------------------------------

    async def saves_attachments(self, rec: Recording) -> bool:
        """This recording's choice, else the server's setting, else settings.toml's."""
        if rec.save_attachments is not None:
            return rec.save_attachments
        server = await guild_settings.get(self.bot.db, rec.guild_id, "record_save_attachments")
        return bool(server) if server is not None else self.config.save_attachments

    def save_later(self, message: discord.Message) -> None:
        task = asyncio.create_task(self.save_attachments(message), name="herbot-save-files")
        self._saving.add(task)
        task.add_done_callback(self._saving.discard)

    async def saving_done(self) -> None:
        """Wait for the downloads under way (tests, a clean shutdown)."""
        while self._saving:
            await asyncio.gather(*list(self._saving), return_exceptions=True)

    async def save_attachments(self, message: discord.Message) -> int:
        """Download a recorded message's attachments within the per-file limit and keep them
        (content-addressed, within the server's budget); returns how many were linked."""
        guild_id = message.guild.id if message.guild else 0
        saved = 0
        for position, attachment in enumerate(message.attachments):
            if attachment.size > self.config.save_max_file_bytes:
                continue
            try:
                data = await attachment.read()
            except (discord.HTTPException, discord.NotFound):
                log.warning("could not download an attachment of message %s", message.id)
                continue
            await self.recorder.flush()  # the message row first: the file links to it
            async with self.bot.db.transaction() as tx:
                saved += await store.save_file(
                    tx,
                    guild_id=guild_id,
                    message_id=message.id,
                    position=position,
                    data=data,
                    content_type=attachment.content_type,
                    guild_budget=self.config.save_guild_budget_bytes,
                    now=self.bot.now(),
                )
        return saved

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if not self.live or not self.active(payload.channel_id):
            return  # without the intent an edit's text arrives blank: no new version
        data = payload.data
        # A poll's final result, or a card's new state: the kept message shows the latest.
        message = payload.message
        self.recorder.add_update(
            payload.message_id,
            poll=holdings.poll(message.poll) if data.get("poll") else None,
            components=holdings.components_text(message.components)
            if data.get("components")
            else None,
        )
        content = data.get("content")
        if content is None:  # an embed unfurled, not a text edit
            return
        author = data.get("author") or {}
        if int(author.get("id", 0)) in self.recorder.opted_out:
            return
        stamp = data.get("edited_timestamp")
        edited_at = datetime.fromisoformat(stamp) if stamp else self.bot.now()
        self.recorder.add_edit(payload.message_id, content, edited_at)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        # Deletions are honoured even after recording stopped: the text goes either way.
        if payload.channel_id in self.recordings:
            self.recorder.add_delete(payload.message_id, self.bot.now())

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        if payload.channel_id in self.recordings:
            now = self.bot.now()
            for message_id in sorted(payload.message_ids):
                self.recorder.add_delete(message_id, now)

    # Reactions need the reactions intent (in Discord's defaults), not Message Content: they
    # are kept on messages already recorded, whatever else the bot receives.

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if self.active(payload.channel_id):
            emoji = holdings.emoji_text(payload.emoji)
            self.recorder.add_reaction(payload.message_id, emoji, payload.user_id, self.bot.now())

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        if self.active(payload.channel_id):
            emoji = holdings.emoji_text(payload.emoji)
            self.recorder.remove_reaction(
                payload.message_id, emoji, payload.user_id, self.bot.now()
            )

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        if self.active(payload.channel_id):
            self.recorder.clear_reactions(payload.message_id, None, self.bot.now())

    @commands.Cog.listener()
    async def on_raw_reaction_clear_emoji(
        self, payload: discord.RawReactionClearEmojiEvent
    ) -> None:
        if self.active(payload.channel_id):
            emoji = holdings.emoji_text(payload.emoji)
            self.recorder.clear_reactions(payload.message_id, emoji, self.bot.now())

    @commands.Cog.listener()
    async def on_thread_update(self, before: discord.Thread, after: discord.Thread) -> None:
        if not self.active(after.id):
            return
        # Compare with the last state we recorded, not only ``before``: gateway updates can
        # repeat or arrive with a stale ``before``, and each change is kept once.
        name, archived, locked = self._thread_state.get(
            after.id, (before.name, before.archived, before.locked)
        )
        self._thread_state[after.id] = (after.name, after.archived, after.locked)
        now = self.bot.now()
        add = self.recorder.add_event
        if name != after.name:
            add(after.id, "renamed", after.name, None, now)
            await self.recorder.flush()
            async with self.bot.db.transaction() as tx:
                await store.rename_recording(tx, after.id, after.name)
            self.recordings[after.id] = replace(self.recordings[after.id], name=after.name)
        if locked != after.locked:
            add(after.id, "locked" if after.locked else "unlocked", "", None, now)
        if archived != after.archived:
            add(after.id, "archived" if after.archived else "unarchived", "", None, now)
            rec = self.recordings[after.id]
            if after.archived and rec.keep_unarchived and not after.locked:
                try:
                    await after.edit(archived=False, reason="herbot: recording keeps it open")
                except discord.HTTPException:
                    log.warning("could not keep thread %s unarchived", after.id)

    @commands.Cog.listener()
    async def on_herbot_debate_thread_opened(self, thread: discord.Thread, debate_id: int) -> None:
        if not self.live:
            return  # no notice saying it is recorded when nothing would be
        await self.start(thread, reason="debate", started_by=None, keep_unarchived=True)

    # --- /record -------------------------------------------------------------------------

    def _here(self, interaction: discord.Interaction) -> discord.Thread | discord.TextChannel:
        channel = interaction.channel
        if not isinstance(channel, discord.Thread | discord.TextChannel):
            raise UserError("Use this in a thread or a text channel.")
        return channel

    @record.command(name="start", description="Record this thread or channel (moderators)")
    @app_commands.describe(
        backfill="also keep up to this many earlier messages (0 = from now on)",
        keep_unarchived="keep the thread from auto-archiving while it is recorded",
        save_attachments="keep the files themselves, not only their names (default: the "
        "server's setting)",
    )
    @moderator_only()
    async def record_start(
        self,
        interaction: discord.Interaction,
        backfill: app_commands.Range[int, 0, 10_000] = 0,
        keep_unarchived: bool = False,
        save_attachments: bool | None = None,
    ) -> None:
        channel = self._here(interaction)
        backfill = min(backfill, self.config.max_backfill)
        await interaction.response.defer(ephemeral=True, thinking=True)
        current = await store.get_recording(self.bot.db, channel.id)
        announce = current is None or not current.active
        if announce:  # members are told first: a refused notice records nothing
            with bot_call(channel, send_permission(channel)):
                await channel.send(notice())
        rec, started = await self.start(
            channel,
            reason="manual",
            started_by=interaction.user.id,
            keep_unarchived=keep_unarchived,
            announced=announce,
            save_attachments=save_attachments,
        )
        kept = await self._backfill(channel, backfill) if backfill else 0
        head = "Recording started." if started else "Already recording here."
        extra = f" Kept {kept} earlier messages." if backfill else ""
        keep = " The thread is kept from auto-archiving." if rec.keep_unarchived else ""
        files = " Attachments are saved too." if await self.saves_attachments(rec) else ""
        await interaction.edit_original_response(content=f"{head}{extra}{keep}{files}")

    async def _backfill(self, channel: discord.Thread | discord.TextChannel, limit: int) -> int:
        kept = 0
        me = self.bot.user.id if self.bot.user else 0
        async for message in channel.history(limit=limit, oldest_first=False):
            if message.type not in RECORDED_TYPES or (
                message.author.id == me and not is_card(message)
            ):
                continue
            if message.author.id in self.recorder.opted_out:
                continue
            record = record_of(message)
            self.recorder.add_message(record)
            if message.edited_at is not None:
                self.recorder.add_edit(message.id, message.content, message.edited_at)
            if message.attachments and await self.saves_attachments(self.recordings[channel.id]):
                self.save_later(message)
            kept += 1
        await self.recorder.flush()
        return kept

    @record.command(name="stop", description="Stop recording this thread or channel (moderators)")
    @app_commands.describe(
        post_transcript="post the HTML transcript in the server's log channel "
        "(/settings record_log_channel_id)"
    )
    @moderator_only()
    async def record_stop(
        self, interaction: discord.Interaction, post_transcript: bool = False
    ) -> None:
        channel = self._here(interaction)
        log_channel = await self._log_channel(interaction) if post_transcript else None
        await self.recorder.flush()
        async with self.bot.db.transaction() as tx:
            stopped = await store.stop_recording(
                tx, channel.id, stopped_by=interaction.user.id, now=self.bot.now()
            )
        if not stopped:
            raise UserError("This thread is not being recorded.")
        rec = await store.get_recording(self.bot.db, channel.id)
        if rec is not None:
            self.recordings[channel.id] = rec
        count = await store.message_count(self.bot.db, channel.id)
        await interaction.response.send_message(
            f"Recording stopped. The transcript keeps {plural(count, 'message')}; "
            "export it with `/transcript export`.",
            ephemeral=True,
        )
        if log_channel is not None and rec is not None and self.transcript_poster is not None:
            try:
                await self.transcript_poster(rec, log_channel)
                posted = f"The transcript is posted in {log_channel.mention}."
            except discord.HTTPException:
                log.warning("could not post the transcript of %s", channel.id, exc_info=True)
                posted = (
                    f"The transcript could not be posted in {log_channel.mention}: herbot "
                    "needs View Channel, Send Messages and Attach Files there."
                )
            await interaction.followup.send(posted, ephemeral=True)
        try:
            await channel.send("⏹️ herbot stopped recording this conversation.")
        except discord.HTTPException:
            log.warning("could not post the stop notice in %s", channel.id)

    @commands.Cog.listener()
    async def on_herbot_conversation_ended(self, channel_id: int) -> None:
        """A debate (or another feature's conversation) ended in a recorded thread: its
        transcript so far is posted in the server's log channel when one is set. Recording
        goes on; the moderator stops it when the thread is done."""
        rec = self.recordings.get(channel_id)
        if rec is None or not rec.active or self.transcript_poster is None:
            return
        value = await guild_settings.get(self.bot.db, rec.guild_id, "record_log_channel_id")
        guild = self.bot.get_guild(rec.guild_id)
        found = guild.get_channel_or_thread(int(cast(int, value))) if guild and value else None
        if not isinstance(found, discord.TextChannel | discord.Thread):
            return  # no log channel: nothing was asked for
        try:
            await self.transcript_poster(rec, found)
        except discord.HTTPException:
            log.warning("could not post the transcript of %s at its end", channel_id)

    async def _log_channel(
        self, interaction: discord.Interaction
    ) -> discord.TextChannel | discord.Thread:
        """The server's log channel for posted transcripts; a clear refusal when unset."""
        value = await guild_settings.get(
            self.bot.db, interaction.guild_id or 0, "record_log_channel_id"
        )
        guild = interaction.guild
        found = guild.get_channel_or_thread(int(cast(int, value))) if guild and value else None
        if not isinstance(found, discord.TextChannel | discord.Thread):
            raise UserError(
                "No log channel is set for posted transcripts: an admin sets one with "
                "`/settings set record_log_channel_id`. Recording is still on."
            )
        return found

    @record.command(name="status", description="Is this recorded? What is being recorded here?")
    async def record_status(self, interaction: discord.Interaction) -> None:
        await self.recorder.flush()  # what the reply counts is on disk
        channel = interaction.channel
        lines = []
        rec = self.recordings.get(channel.id) if channel is not None else None
        if rec is None:
            lines.append("This conversation is **not recorded**.")
        else:
            count = await store.message_count(self.bot.db, rec.channel_id)
            state = "**recording**" if self.live else "**paused**"
            state = state if rec.active else "**stopped**"
            since = records.display_time(rec.started_at)
            how = f"by <@{rec.started_by}>" if rec.started_by else f"automatically ({rec.reason})"
            lines.append(f"This conversation is {state}: since {since}, started {how}.")
            lines.append(f"{plural(count, 'message')} kept.")
            if rec.active and not self.live:
                lines.append(
                    "Nothing new is recorded: herbot runs without the Message Content intent."
                )
            if rec.active and rec.keep_unarchived:
                lines.append("It is kept from auto-archiving while recorded.")
        active = [
            r for r in self.recordings.values() if r.active and r.guild_id == interaction.guild_id
        ]
        if active:
            names = ", ".join(f"<#{r.channel_id}>" for r in active[:15])
            more = f" and {len(active) - 15} more" if len(active) > 15 else ""
            lines.append(f"Recorded in this server: {names}{more}.")
        held = await store.quarantine_summary(self.bot.db, interaction.guild_id or 0)
        if held.items:
            ids = ", ".join(f"`{e}`" for e in held.error_ids)
            lines.append(
                f"⚠️ {plural(held.items, 'recorded item[s]')} could not be written and are held in "
                f"quarantine (latest error ids: {ids}). A moderator can give those ids to "
                "whoever runs herbot: the log says what went wrong."
            )
        lines.append(
            f"Messages are written every {self.config.flush_interval:g} s. "
            "Opt out with `/privacy opt-out recording`."
        )
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @staticmethod
    def member_can_read(interaction: discord.Interaction, rec: Recording) -> bool:
        guild = interaction.guild
        channel = guild.get_channel_or_thread(rec.channel_id) if guild else None
        member = interaction.user
        if channel is None or not isinstance(member, discord.Member):
            return False
        perms = channel.permissions_for(member)
        if not perms.read_message_history:
            return False
        # A private thread inherits its parent's permissions, yet only its members (and
        # those who manage threads) can read it.
        if isinstance(channel, discord.Thread) and channel.is_private():
            return (
                perms.manage_threads
                or channel.owner_id == member.id
                or any(m.id == member.id for m in channel.members)
            )
        return True

    async def recorded_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Names of channels a member cannot read are not shown to them (a few spare rows
        # so hidden ones do not leave the list short).
        recs = await store.guild_recordings(
            self.bot.db, interaction.guild_id or 0, typed=current, limit=AUTOCOMPLETE_MAX * 4
        )
        if not await is_moderator(interaction):
            recs = [r for r in recs if self.member_can_read(interaction, r)]
        choices = []
        for r in recs[:AUTOCOMPLETE_MAX]:
            state = "recording" if r.active else "stopped"
            label = truncate(f"{r.name or r.channel_id} ({state})", CHOICE_NAME_LIMIT)
            choices.append(app_commands.Choice(name=label, value=str(r.channel_id)))
        return choices

    @record.command(name="purge", description="Delete a recorded transcript (moderators)")
    @app_commands.describe(thread="the recorded thread or channel to delete")
    @app_commands.autocomplete(thread=recorded_autocomplete)
    @moderator_only()
    async def record_purge(self, interaction: discord.Interaction, thread: str) -> None:
        rec = await self.resolve(interaction, thread)
        await self.recorder.flush()
        count = await store.message_count(self.bot.db, rec.channel_id)
        await interaction.response.send_message(
            f"Delete the transcript of **{discord.utils.escape_markdown(rec.name)}** "
            f"({plural(count, 'message')}) and stop recording it? This cannot be undone.",
            view=PurgeConfirmView(self.purge, interaction.user.id, rec.channel_id),
            ephemeral=True,
        )

    async def purge(self, channel_id: int) -> int:
        """Delete a transcript; returns how many messages it had (once committed)."""
        await self.recorder.flush()
        async with self.bot.db.transaction() as tx:
            removed = await store.purge_recording(tx, channel_id)
        self.recordings.pop(channel_id, None)
        return removed

    # --- which recorded thread, and may this member read it (also for /transcript) -----

    async def resolve(self, interaction: discord.Interaction, value: str) -> Recording:
        """A recorded thread of this guild from the autocomplete value (its id) or a name."""
        text = value.strip().lstrip("#").removeprefix("<#").removesuffix(">")
        rec = self.recordings.get(int(text)) if is_snowflake(text) else None
        if rec is None:
            guild_id = interaction.guild_id or 0
            matches = await store.guild_recordings(self.bot.db, guild_id, typed=text)
            exact = [r for r in matches if r.name.lower() == text.lower()]
            rec = exact[0] if exact else (matches[0] if len(matches) == 1 else None)
        if rec is None or rec.guild_id != interaction.guild_id:
            raise UserError(
                f"No recorded thread matches “{truncate(value, 80)}”: pick one from the list."
            )
        return rec

    async def ensure_can_read(self, interaction: discord.Interaction, rec: Recording) -> None:
        """Members see transcripts of channels they can read; moderators see every one."""
        if self.member_can_read(interaction, rec):
            return
        if await is_moderator(interaction):
            return
        raise UserError("You can only read transcripts of channels you can see.")
