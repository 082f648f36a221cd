"""/transcript export, search and stats, and *Save as quote* on a search result.

Thin adapter over what was recorded: exports stream from :mod:`~cogs.threads.transcripts.
exporters` in a thread, search runs :mod:`~cogs.threads.transcripts.search`. Which recorded
thread a member means, and whether they may read it, is the ``ThreadRecording`` cog's
decision (given to this cog when it is made), as is flushing what is still queued.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import privacy
from bot.errors import UserError
from bot.presentation import EMBED_FIELD_VALUE_LIMIT, EMBED_TOTAL_LIMIT, plural, truncate
from bot.timeparse import discord_stamp
from cogs.quotes import service
from cogs.threads import records
from cogs.threads.records import Recording
from cogs.threads.transcripts import exporters, store
from cogs.threads.transcripts.search import Hit, search
from cogs.threads.transcripts.store import KeptMessage
from cogs.threads.transcripts.ui import SaveQuoteButton, search_view

if TYPE_CHECKING:
    from bot.app import Herbot
    from cogs.threads.config import ThreadsConfig
    from cogs.threads.recording.cog import ThreadRecording
    from cogs.threads.recording.recorder import Recorder

log = logging.getLogger(__name__)

Format = Literal["md", "html", "json", "csv"]
FILES_PER_MESSAGE = 10
# Exports of at least this many messages show progress in the deferred reply.
PROGRESS_MIN_MESSAGES = 5000


def parse_when(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        if len(value) > 40:  # the longest ISO form is 32 characters
            raise ValueError(value)
        # A Discord timestamp (<t:…>, any style) names the moment in the member's own zone.
        moment = discord_stamp(value) or datetime.fromisoformat(
            value.strip().replace("Z", "+00:00")
        )
    except ValueError:
        raise UserError(
            f"`{name}` must be a date or time like 2026-01-31 or 2026-01-31T18:00 (UTC), "
            "or a Discord timestamp like `<t:1796151600:f>`."
        ) from None
    return records.utc_clamped(moment)


class Transcripts(commands.Cog):
    transcript = app_commands.Group(
        name="transcript", description="Recorded threads: export, search, stats", guild_only=True
    )

    def __init__(self, bot: Herbot, recording: ThreadRecording) -> None:
        self.bot = bot
        self.recording = recording
        recording.transcript_poster = self.post_transcript  # /record stop post_transcript

    @property
    def config(self) -> ThreadsConfig:
        return self.recording.config  # one feature, one settings section

    @property
    def recorder(self) -> Recorder:
        """Every read of the transcript flushes what is still queued first."""
        return self.recording.recorder

    async def cog_load(self) -> None:
        self.bot.components.add(self, SaveQuoteButton)

    async def cog_unload(self) -> None:
        self.bot.components.remove(SaveQuoteButton)

    async def recorded_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.recording.recorded_autocomplete(interaction, current)

    # --- Save as quote (the button is in transcripts/ui.py) ------------------------------

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

    @transcript.command(name="export", description="Export a recorded thread as a file")
    @app_commands.describe(
        thread="a recorded thread or channel",
        format="md (Markdown), html (a web page), json or csv",
        from_=(
            "only messages from then on: 2026-01-31, 2026-01-31T18:00 (UTC) or a Discord timestamp"
        ),
        to="only messages before then: a UTC date/time or a Discord timestamp",
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
        rec = await self.recording.resolve(interaction, thread)
        await self.recording.ensure_can_read(interaction, rec)
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
        first, *rest = _batches(paths, limit)
        await interaction.edit_original_response(
            content=summary, attachments=[discord.File(p, filename=p.name) for p in first]
        )
        for batch in rest:
            await interaction.followup.send(
                files=[discord.File(p, filename=p.name) for p in batch], ephemeral=True
            )

    async def post_transcript(self, rec: Recording, channel: discord.abc.Messageable) -> int:
        """Post ``rec``'s HTML transcript in ``channel`` (a server's log channel, when a
        moderator stops recording with ``post_transcript``); returns the messages posted."""
        await self.recorder.flush()
        limit = self.config.max_upload_bytes
        guild = getattr(channel, "guild", None)
        if guild is not None:
            limit = min(limit, guild.filesize_limit)
        tmp = Path(tempfile.mkdtemp(prefix="herbot-post-"))
        try:
            paths = await asyncio.to_thread(
                exporters.export_transcript,
                self.bot.settings.database,
                rec.channel_id,
                "html",
                tmp,
                max_bytes=limit,
                now=self.bot.now(),
                stem=f"transcript-{_slug(rec.name) or rec.channel_id}",
            )
            count = await store.thread_stats(self.bot.db, rec.channel_id)
            summary = (
                f"📜 Transcript of **{discord.utils.escape_markdown(rec.name)}** "
                f"(<#{rec.channel_id}>): {plural(count.messages, 'message')}, recording stopped."
            )
            posted = 0
            for i, batch in enumerate(_batches(paths, limit)):
                await channel.send(
                    summary if i == 0 else "",
                    files=[discord.File(p, filename=p.name) for p in batch],
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                posted += 1
            return posted
        finally:
            await asyncio.to_thread(shutil.rmtree, tmp, True)

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
        rec = await self.recording.resolve(interaction, thread) if thread else None
        if rec is not None:
            await self.recording.ensure_can_read(interaction, rec)
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
            link = records.jump_url(hit.guild_id, hit.channel_id, hit.message_id)
            when = records.display_time(hit.created_at)
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
        rec = self.recording.recordings.get(channel_id)
        if rec is None:
            return False
        try:
            await self.recording.ensure_can_read(interaction, rec)
        except UserError:
            return False
        return True

    @transcript.command(name="stats", description="Who talked, how much, and when")
    @app_commands.describe(thread="a recorded thread or channel")
    @app_commands.autocomplete(thread=recorded_autocomplete)
    async def transcript_stats(self, interaction: discord.Interaction, thread: str) -> None:
        rec = await self.recording.resolve(interaction, thread)
        await self.recording.ensure_can_read(interaction, rec)
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
                text=f"{records.display_time(s.first_at)} → {records.display_time(s.last_at)}"
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
        message_link=records.jump_url(kept.guild_id, kept.channel_id, kept.message_id),
        locator=f"{kept.channel_name}, {records.display_time(kept.created_at)}",
        written_at=records.parse_stamp(kept.created_at),
    )


def _batches(paths: list[Path], limit: int) -> list[list[Path]]:
    """Discord's upload limit is for the whole request, not each file: a message carries at
    most ``limit`` bytes of parts (each part is already no bigger) and 10 files."""
    batches: list[list[Path]] = []
    used = 0
    for path in paths:
        size = path.stat().st_size
        if not batches or len(batches[-1]) >= FILES_PER_MESSAGE or used + size > limit:
            batches.append([])
            used = 0
        batches[-1].append(path)
        used += size
    return batches


def _slug(name: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in name.lower())
    return "-".join(p for p in keep.split("-") if p)[:60]
