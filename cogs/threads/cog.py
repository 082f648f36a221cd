"""/record and /transcript, and the listeners that record threads live.

Thin adapter: discord objects become :class:`MessageRecord` values for the batched
:class:`Recorder`; SQL is in ``store`` (full-text search in ``search``), exports in
``exporters``, privacy in ``privacy``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot import cache_sync, guild_settings, privacy
from bot.checks import is_moderator, moderator_only
from bot.errors import UserError, bot_call, send_permission
from bot.presentation import (
    AUTOCOMPLETE_MAX,
    CHOICE_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TOTAL_LIMIT,
    plural,
    truncate,
)
from bot.text import clean, is_snowflake
from cogs.quotes import service
from cogs.threads.config import ThreadsConfig
from cogs.threads.recording import store
from cogs.threads.recording.recorder import Recorder
from cogs.threads.recording.store import Attachment, KeptMessage, MessageRecord, Recording
from cogs.threads.transcripts import exporters
from cogs.threads.transcripts.search import Hit, search
from cogs.threads.ui import PurgeConfirmView, SaveQuoteButton, search_view

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

FLUSH_KEY = "threads:flush"  # the recorder's next batched write (bot/timers.py)
RETENTION_KEY = "threads:retention"
RETENTION_EVERY = timedelta(hours=6)

RECORDED_TYPES = (discord.MessageType.default, discord.MessageType.reply)
AUTO_CHANNELS_TTL = 60.0
Format = Literal["md", "html", "json", "csv"]
FILES_PER_MESSAGE = 10
# Exports of at least this many messages show progress in the deferred reply.
PROGRESS_MIN_MESSAGES = 5000


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
    ref = message.reference
    reply_to = ref.message_id if ref is not None and ref.message_id else None
    return MessageRecord(
        message_id=message.id,
        channel_id=message.channel.id,
        guild_id=message.guild.id if message.guild else 0,
        author_id=message.author.id,
        author_name=clean(message.author.display_name),
        created_at=message.created_at,
        content=clean(message.content),  # backfilled history did not pass the gateway's
        reply_to=reply_to,
        attachments=tuple(
            Attachment(a.filename, a.size, a.content_type) for a in message.attachments
        ),
        embed_titles=tuple(clean(e.title) for e in message.embeds if e.title),
    )


def parse_when(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        if len(value) > 40:  # the longest ISO form is 32 characters
            raise ValueError(value)
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(
            f"`{name}` must be a date or time like 2026-01-31 or 2026-01-31T18:00 (UTC)."
        ) from None
    return store.utc_clamped(moment)


class Threads(commands.Cog):
    record = app_commands.Group(
        name="record", description="Record this thread or channel live", guild_only=True
    )
    transcript = app_commands.Group(
        name="transcript", description="Recorded threads: export, search, stats", guild_only=True
    )

    def __init__(self, bot: Herbot, config: ThreadsConfig) -> None:
        self.bot = bot
        self.config = config
        self.recorder = Recorder(
            bot.db, flush_interval=config.flush_interval, max_batch=config.max_batch, now=bot.now
        )
        self.recordings: dict[int, Recording] = {}
        self._auto: dict[int, tuple[float, frozenset[int]]] = {}
        self._thread_state: dict[int, tuple[str, bool, bool]] = {}

    # --- lifecycle -----------------------------------------------------------------------

    async def cog_load(self) -> None:
        db = self.bot.db
        self.recordings = {r.channel_id: r for r in await store.all_recordings(db)}
        self.recorder.opted_out = await privacy.opted_out_users(db, "record")
        self.recorder.attach()  # /privacy writes and forgets what is still queued
        self.bot.components.add(self, SaveQuoteButton)
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
        written = await self.recorder.close()
        self.recorder.detach()
        log.info("recorder closed; wrote %d queued items", written)
        self.bot.components.remove(SaveQuoteButton)

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
    async def on_herbot_cache_changed(self, name: str) -> None:
        """Another process changed what this one caches (bot/cache_sync.py)."""
        if name == cache_sync.PRIVACY_OPTOUTS:
            self.recorder.opted_out = await privacy.opted_out_users(self.bot.db, "record")
        elif name == cache_sync.GUILD_SETTINGS:
            self._auto.clear()

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command | object
    ) -> None:
        name = getattr(command, "qualified_name", "")
        if name.startswith("privacy"):
            self.recorder.opted_out = await privacy.opted_out_users(self.bot.db, "record")
        elif name.startswith("settings") and interaction.guild_id:
            self._auto.pop(interaction.guild_id, None)

    # --- recording -----------------------------------------------------------------------

    def active(self, channel_id: int) -> bool:
        rec = self.recordings.get(channel_id)
        return rec is not None and rec.active

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
        if message.guild is None or message.type not in RECORDED_TYPES:
            return
        if self.bot.user is not None and message.author.id == self.bot.user.id:
            return
        channel = message.channel
        if channel.id not in self.recordings:
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

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if not self.active(payload.channel_id):
            return
        data = payload.data
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
    )
    @moderator_only()
    async def record_start(
        self,
        interaction: discord.Interaction,
        backfill: app_commands.Range[int, 0, 10_000] = 0,
        keep_unarchived: bool = False,
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
        )
        kept = await self._backfill(channel, backfill) if backfill else 0
        head = "Recording started." if started else "Already recording here."
        extra = f" Kept {kept} earlier messages." if backfill else ""
        keep = " The thread is kept from auto-archiving." if rec.keep_unarchived else ""
        await interaction.edit_original_response(content=f"{head}{extra}{keep}")

    async def _backfill(self, channel: discord.Thread | discord.TextChannel, limit: int) -> int:
        kept = 0
        me = self.bot.user.id if self.bot.user else 0
        async for message in channel.history(limit=limit, oldest_first=False):
            if message.type not in RECORDED_TYPES or message.author.id == me:
                continue
            if message.author.id in self.recorder.opted_out:
                continue
            record = record_of(message)
            self.recorder.add_message(record)
            if message.edited_at is not None:
                self.recorder.add_edit(message.id, message.content, message.edited_at)
            kept += 1
        await self.recorder.flush()
        return kept

    @record.command(name="stop", description="Stop recording this thread or channel (moderators)")
    @moderator_only()
    async def record_stop(self, interaction: discord.Interaction) -> None:
        channel = self._here(interaction)
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
        try:
            await channel.send("⏹️ herbot stopped recording this conversation.")
        except discord.HTTPException:
            log.warning("could not post the stop notice in %s", channel.id)

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
            state = "**recording**" if rec.active else "**stopped**"
            since = exporters.display_time(rec.started_at)
            how = f"by <@{rec.started_by}>" if rec.started_by else f"automatically ({rec.reason})"
            lines.append(f"This conversation is {state}: since {since}, started {how}.")
            lines.append(f"{plural(count, 'message')} kept.")
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
    def _member_can_read(interaction: discord.Interaction, rec: Recording) -> bool:
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
            recs = [r for r in recs if self._member_can_read(interaction, r)]
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
        rec = await self._resolve(interaction, thread)
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

    # --- Save as quote (the button is in ui.py) ------------------------------------------

    async def save_as_quote(self, interaction: discord.Interaction, message_id: int) -> str:
        """File a recorded message for the moderators' review through the quote service.

        Reads and the submission share one transaction: a message deleted or an author who
        opted out a moment ago cannot slip in. A duplicate is refused by the quote store's
        key; only this submission is undone, and the member is answered after the commit.
        """
        try:
            async with self.bot.db.transaction() as tx:
                kept = await store.kept_message(tx, message_id)
                if kept is None or kept.content is None or kept.guild_id != interaction.guild_id:
                    raise UserError("That message is no longer kept (it was deleted or redacted).")
                if not kept.content.strip():
                    raise UserError("That message has no text to quote.")
                # The quote store asks the privacy ledger in this transaction.
                quote_id = await service.submit_pending(tx, _submission(kept, interaction))
        except service.AlreadySaved as exc:
            raise UserError(
                f"That message is already in the quote store or its queue (`{exc.quote_id}`)."
            ) from None
        except privacy.Withheld as exc:
            assert kept is not None  # refused by the submission, after the checks above
            if exc.opted_out:
                raise UserError(f"{kept.author_name} has opted out of being quoted.") from None
            raise UserError(privacy.FORGOTTEN_REFUSAL.format(name=kept.author_name)) from None
        return (
            f"Sent {kept.author_name}'s message to the moderators' quote queue "
            f"(`{quote_id}`), with a link to the original."
        )

    # --- /transcript ---------------------------------------------------------------------

    async def _resolve(self, interaction: discord.Interaction, value: str) -> Recording:
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

    async def _ensure_can_read(self, interaction: discord.Interaction, rec: Recording) -> None:
        """Members see transcripts of channels they can read; moderators see every one."""
        if self._member_can_read(interaction, rec):
            return
        if await is_moderator(interaction):
            return
        raise UserError("You can only read transcripts of channels you can see.")

    @transcript.command(name="export", description="Export a recorded thread as a file")
    @app_commands.describe(
        thread="a recorded thread or channel",
        format="md (Markdown), html (a web page), json or csv",
        from_="only messages from this UTC date/time on, e.g. 2026-01-31 or 2026-01-31T18:00",
        to="only messages before this UTC date/time",
    )
    @app_commands.rename(from_="from")
    @app_commands.autocomplete(thread=recorded_autocomplete)
    async def transcript_export(
        self,
        interaction: discord.Interaction,
        thread: str,
        format: Format,
        from_: str | None = None,
        to: str | None = None,
    ) -> None:
        rec = await self._resolve(interaction, thread)
        await self._ensure_can_read(interaction, rec)
        start, end = parse_when(from_, "from"), parse_when(to, "to")
        if start and end and start >= end:
            raise UserError("`from` must be before `to`.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.recorder.flush()
        limit = self.config.max_upload_bytes
        if interaction.guild is not None:
            limit = min(limit, interaction.guild.filesize_limit)
        tmp = Path(tempfile.mkdtemp(prefix="herbot-export-"))
        try:
            paths, total = await self._export_with_progress(
                interaction, rec, format, tmp, start, end, limit
            )
            await self._deliver(interaction, rec, format, paths, total, limit)
        finally:
            await asyncio.to_thread(shutil.rmtree, tmp, True)

    async def _export_with_progress(
        self,
        interaction: discord.Interaction,
        rec: Recording,
        fmt: str,
        out_dir: Path,
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> tuple[list[Path], int]:
        loop = asyncio.get_running_loop()
        updates: asyncio.Queue[tuple[int, int]] = asyncio.Queue()

        def progress(done: int, total: int) -> None:
            loop.call_soon_threadsafe(updates.put_nowait, (done, total))

        job = asyncio.ensure_future(
            asyncio.to_thread(
                exporters.export_transcript,
                self.bot.settings.database,
                rec.channel_id,
                fmt,
                out_dir,
                start=start,
                end=end,
                max_bytes=limit,
                progress=progress,
                now=self.bot.now(),
                stem=f"transcript-{_slug(rec.name) or rec.channel_id}",
            )
        )
        shown = 0.0
        total = 0
        while True:
            getter = asyncio.ensure_future(updates.get())
            done_set, _ = await asyncio.wait({job, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done_set:
                done, total = getter.result()
                # Long exports: show progress about every 10 %, never per chunk.
                if total >= PROGRESS_MIN_MESSAGES and done < total and done / total - shown >= 0.1:
                    shown = done / total
                    await interaction.edit_original_response(
                        content=f"Exporting… {done:,} of {total:,} messages ({shown:.0%})"
                    )
            else:
                getter.cancel()
            if job in done_set:
                while not updates.empty():
                    total = updates.get_nowait()[1]
                return job.result(), total

    async def _deliver(
        self,
        interaction: discord.Interaction,
        rec: Recording,
        fmt: str,
        paths: list[Path],
        total: int,
        limit: int,
    ) -> None:
        parts = f" in {len(paths)} parts" if len(paths) > 1 else ""
        summary = (
            f"Transcript of **{discord.utils.escape_markdown(rec.name)}**: "
            f"{plural(total, 'message')}, "
            f"{fmt.upper()}{parts}."
        )
        # Discord's upload limit is for the whole request, not each file: a message carries
        # at most ``limit`` bytes of parts (each part is already no bigger) and 10 files.
        batches: list[list[Path]] = []
        used = 0
        for path in paths:
            size = path.stat().st_size
            if not batches or len(batches[-1]) >= FILES_PER_MESSAGE or used + size > limit:
                batches.append([])
                used = 0
            batches[-1].append(path)
            used += size
        first, rest = batches[0], batches[1:]
        await interaction.edit_original_response(
            content=summary, attachments=[discord.File(p, filename=p.name) for p in first]
        )
        for batch in rest:
            await interaction.followup.send(
                files=[discord.File(p, filename=p.name) for p in batch], ephemeral=True
            )

    @transcript.command(name="search", description="Search recorded messages")
    @app_commands.describe(
        query="words to look for",
        thread="only this recorded thread",
        author="only messages by this member",
    )
    @app_commands.autocomplete(thread=recorded_autocomplete)
    async def transcript_search(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 200],
        thread: str | None = None,
        author: discord.User | None = None,
    ) -> None:
        rec = await self._resolve(interaction, thread) if thread else None
        if rec is not None:
            await self._ensure_can_read(interaction, rec)
        await self.recorder.flush()
        hits = await search(
            self.bot.db,
            interaction.guild_id or 0,
            query,
            channel_id=rec.channel_id if rec else None,
            author_id=author.id if author else None,
            limit=25,  # some may be in channels this member cannot read: 5 are shown
        )
        if hits is None:
            raise UserError("Type at least one word to search for.")
        hits = [h for h in hits if await self._readable(interaction, h.channel_id)][:5]
        if not hits:
            await interaction.response.send_message(
                f"No recorded message matches “{discord.utils.escape_markdown(query)}”.",
                ephemeral=True,
            )
            return
        embed = discord.Embed(title=truncate(f"Recorded messages: {query}", 256))
        embed.set_footer(text="“Save N” sends that message to the moderators' quote queue.")
        fields = []
        for i, hit in enumerate(hits, 1):
            link = store.jump_url(hit.guild_id, hit.channel_id, hit.message_id)
            when = exporters.display_time(hit.created_at)
            name = truncate(f"{i}. {hit.author_name} in {hit.channel_name} · {when}", 256)
            fields.append((name, f"{_matched(hit)}\n[Jump to message]({link})", hit.current))
        # The texts share what Discord's limits leave: 1,024 per field, 6,000 per embed.
        fixed = len(embed.title or "") + len(embed.footer.text or "")
        fixed += sum(len(name) + len(tail) for name, tail, _ in fields)
        share = (EMBED_TOTAL_LIMIT - fixed) // len(fields)
        for name, tail, content in fields:
            room = min(share, EMBED_FIELD_VALUE_LIMIT - len(tail))
            text = truncate(discord.utils.escape_markdown(content), room)
            embed.add_field(name=name, value=text + tail, inline=False)
        await interaction.response.send_message(
            embed=embed, view=search_view([h.message_id for h in hits]), ephemeral=True
        )

    async def _readable(self, interaction: discord.Interaction, channel_id: int) -> bool:
        rec = self.recordings.get(channel_id)
        if rec is None:
            return False
        try:
            await self._ensure_can_read(interaction, rec)
        except UserError:
            return False
        return True

    @transcript.command(name="stats", description="Who talked, how much, and when")
    @app_commands.describe(thread="a recorded thread or channel")
    @app_commands.autocomplete(thread=recorded_autocomplete)
    async def transcript_stats(self, interaction: discord.Interaction, thread: str) -> None:
        rec = await self._resolve(interaction, thread)
        await self._ensure_can_read(interaction, rec)
        await self.recorder.flush()
        s = await store.thread_stats(self.bot.db, rec.channel_id)
        embed = discord.Embed(title=truncate(f"Transcript stats: {rec.name}", 256))
        embed.add_field(name="Messages", value=f"{s.messages:,}")
        embed.add_field(name="Participants", value=f"{s.participants:,}")
        embed.add_field(name="Edits", value=f"{s.edits:,}")
        embed.add_field(name="Deleted", value=f"{s.deleted:,}")
        if s.redacted:
            embed.add_field(name="Redacted (opted out)", value=f"{s.redacted:,}")
        if s.top:
            lines = [f"{discord.utils.escape_markdown(p.name)} — {p.messages:,}" for p in s.top]
            top = truncate("\n".join(lines), 1024)
            embed.add_field(name="Most active", value=top, inline=False)
        if s.busiest_hours:
            hours = ", ".join(f"{h:02d}:00–{h:02d}:59 UTC ({n:,})" for h, n in s.busiest_hours)
            embed.add_field(name="Busiest hours", value=hours, inline=False)
        if s.first_at and s.last_at:
            embed.set_footer(
                text=f"{exporters.display_time(s.first_at)} → {exporters.display_time(s.last_at)}"
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)


def _matched(hit: Hit) -> str:
    """What a search result says of its versions: it shows the message as it reads now, so a
    match in words edited away says so (the words are in the transcript's earlier version)."""
    if hit.version < hit.latest:
        return f"\n*Matched an earlier version ({hit.version} of {hit.latest}): edited since.*"
    return "\n*(edited)*" if hit.latest > 1 else ""


def _submission(kept: KeptMessage, interaction: discord.Interaction) -> service.Submission:
    return service.Submission(
        text=kept.content[:1000] if kept.content else "",
        speaker=kept.author_name,
        guild_id=kept.guild_id,
        submitted_by=interaction.user.id,
        origin="transcript",
        author_id=kept.author_id,
        message_link=store.jump_url(kept.guild_id, kept.channel_id, kept.message_id),
        locator=f"{kept.channel_name}, {exporters.display_time(kept.created_at)}",
        written_at=store.parse_stamp(kept.created_at),
    )


def _slug(name: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in name.lower())
    return "-".join(p for p in keep.split("-") if p)[:60]
