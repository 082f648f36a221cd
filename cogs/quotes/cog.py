"""/quote commands, review buttons, the "Save as quote" menu and the quote of the day.

A thin adapter: parse the interaction, open one transaction around the store calls that
belong together, and answer only after it committed; nothing is sent to Discord while a
transaction is open. Embeds, views and modals come from :mod:`cogs.quotes.ui`, which hands
clicks and submitted modals back here (:class:`~cogs.quotes.ui.QuoteActions`). Every reply
that shows a quote shows its citation. Nothing the bot posts pings anyone (the bot's default
``AllowedMentions.none()`` applies to every send).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import cache_sync, claims
from bot.checks import (
    EVERYWHERE_CONTEXTS,
    EVERYWHERE_INSTALLS,
    NotInServer,
    ensure_moderator,
    moderator_only,
    served_guild_id,
    server_only,
)
from bot.errors import UserError
from bot.names import DisplayNames
from bot.presentation import AUTOCOMPLETE_MAX, chunk_lines, plural, truncate
from bot.text import TooDeep, UndecodableFile, clean, clean_payload, decode_file
from cogs.quotes import (
    card_render,
    import_store,
    message_link,
    nominations,
    nominations_store,
    qotd_store,
    quote_store,
    review_store,
    submission,
)
from cogs.quotes.citation import citation
from cogs.quotes.config import QuotesConfig
from cogs.quotes.quote import StoredQuote
from cogs.quotes.review_store import Submission
from cogs.quotes.ui import (
    REVIEW_BATCH,
    CiteButton,
    EditModal,
    ImportModal,
    ReviewButton,
    SubmitModal,
    choice_label,
    cited_text,
    ids_in,
    quote_card,
    quote_embed,
    review_message,
)

if TYPE_CHECKING:
    from bot.app import Herbot
    from cogs.quotes.link_cog import QuoteLinks

log = logging.getLogger(__name__)

QuoteId = app_commands.Range[str, 1, 64]
MAX_IMPORT_BYTES = 5_000_000
SEARCH_RESULTS = 10
QOTD_MAX_SLEEP = timedelta(hours=1)
QOTD_RETRY = timedelta(minutes=1)
QOTD_KEY = "quotes:qotd"
QOTD_SETTINGS = ("qotd_channel_id", "qotd_time")  # a change may move the next due time


def _guild_id(interaction: discord.Interaction) -> int:
    """The server of a server-only subcommand (its ``server_only`` check ran first)."""
    guild_id = served_guild_id(interaction)
    if guild_id is None:
        raise NotInServer()
    return guild_id


class Quotes(commands.Cog):
    # User-installable: random, show, search and cite work in DMs and in servers without
    # herbot, from the curated store only (served_guild_id is None there). The other
    # subcommands are server-only through their ``server_only`` check.
    quote = app_commands.Group(
        name="quote",
        description="Cited quotes about Her and the Altman debate",
        allowed_installs=EVERYWHERE_INSTALLS,
        allowed_contexts=EVERYWHERE_CONTEXTS,
    )

    def __init__(self, bot: Herbot, links: QuoteLinks) -> None:
        self.bot = bot
        self.links = links  # /quote submit link: is quoting by link
        self.config = QuotesConfig.from_settings(bot.settings)
        self._names = DisplayNames()  # who submitted and reviewed, named on review cards
        self.save_menu = app_commands.ContextMenu(name="Save as quote", callback=self.save_as_quote)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.save_menu)
        self.bot.components.add(self, ReviewButton, CiteButton)
        self._start_qotd()

    async def cog_unload(self) -> None:
        self.bot.scheduler.cancel(QOTD_KEY)
        self.bot.tree.remove_command(self.save_menu.name, type=self.save_menu.type)
        self.bot.components.remove(ReviewButton, CiteButton)

    # -- reading ----------------------------------------------------------------------------

    @quote.command(name="random", description="A random quote, with its citation")
    @app_commands.describe(
        speaker="only quotes by this speaker (part of the name is enough)",
        source="only quotes from this source",
        tag="only quotes with this tag",
    )
    async def random(
        self,
        interaction: discord.Interaction,
        speaker: app_commands.Range[str, 1, 100] | None = None,
        source: app_commands.Range[str, 1, 100] | None = None,
        tag: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        guild_id = served_guild_id(interaction)
        q = await quote_store.random_quote(
            self.bot.db, guild_id, speaker=speaker, source=source, tag=tag
        )
        if q is None:
            asked = ", ".join(
                f"{k} “{v}”"
                for k, v in (("speaker", speaker), ("source", source), ("tag", tag))
                if v
            )
            raise UserError(
                f"No quote matches {asked}. Try fewer filters, or `/quote search`."
                if asked
                else "The quote store is empty. A moderator can `/quote import` or run "
                "`herbot quotes import`."
            )
        await interaction.response.send_message(view=quote_card(q))

    @quote.command(name="show", description="Show one quote by its id")
    @app_commands.describe(id="the quote's id (type words to find it)")
    async def show(self, interaction: discord.Interaction, id: QuoteId) -> None:
        q = await self._visible(interaction, id)
        await interaction.response.send_message(view=quote_card(q))

    @quote.command(name="cite", description="A quote as copyable text with its full citation")
    @app_commands.describe(id="the quote's id (type words to find it)")
    async def cite(self, interaction: discord.Interaction, id: QuoteId) -> None:
        q = await self._visible(interaction, id)
        await interaction.response.send_message(cited_text(q))

    @quote.command(name="card", description="A quote as a shareable image (PNG) with its citation")
    @app_commands.describe(id="the quote's id (type words to find it)", theme="light or dark")
    async def card(
        self,
        interaction: discord.Interaction,
        id: QuoteId,
        theme: Literal["light", "dark"] = "light",
    ) -> None:
        q = await self._visible(interaction, id)
        content = card_render.CardContent(q.text, q.plain_citation, q.id, q.source_kind)
        # Pillow's drawing is CPU work: in a thread, so the event loop keeps serving others.
        png = await asyncio.to_thread(card_render.render_card, content, theme)
        file = discord.File(io.BytesIO(png), filename=f"quote-{q.id}-{theme}.png")
        await interaction.response.send_message(f"`{q.id}` — {citation(q)}", file=file)

    @quote.command(name="search", description="Find quotes by their words, speaker or tags")
    @app_commands.describe(text="words to look for; pick a suggestion to show that quote")
    async def search(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 200]
    ) -> None:
        guild_id = served_guild_id(interaction)
        exact = await quote_store.get(self.bot.db, text.strip(), guild_id)
        if exact is not None:  # a suggestion was picked: its value is the id
            await interaction.response.send_message(view=quote_card(exact))
            return
        found = await quote_store.search(self.bot.db, guild_id, text, limit=SEARCH_RESULTS)
        if not found:
            raise UserError(f"No quote matches “{truncate(text, 100)}”. Try other words.")
        lines = [
            f"`{q.id}` “{truncate(' '.join(q.text.split()), 160)}” — {citation(q)}" for q in found
        ]
        count = plural(len(found), "quote")
        header = f"**{count}** for “{truncate(text, 100)}” (`/quote show ID` for one):"
        pages = chunk_lines([header, *lines])
        await interaction.response.send_message(pages[0], ephemeral=True)
        for page in pages[1:]:
            await interaction.followup.send(page, ephemeral=True)

    async def cite_click(self, interaction: discord.Interaction, quote_id: str) -> None:
        """A card's **Cite** button: the copyable text, for the clicker only."""
        q = await self._visible(interaction, quote_id)
        await interaction.response.send_message(cited_text(q), ephemeral=True)

    async def _visible(self, interaction: discord.Interaction, quote_id: str) -> StoredQuote:
        q = await quote_store.get(self.bot.db, quote_id.strip(), served_guild_id(interaction))
        if q is None:
            raise UserError(
                f"There is no quote `{truncate(quote_id, 64)}` here. "
                "Start typing words of it and pick one of the suggestions."
            )
        return q

    # -- autocomplete -----------------------------------------------------------------------

    async def _quote_choices(
        self, interaction: discord.Interaction, current: str, statuses: tuple[str, ...]
    ) -> list[app_commands.Choice[str]]:
        found = await quote_store.search(
            self.bot.db,
            served_guild_id(interaction),
            current,
            limit=AUTOCOMPLETE_MAX,
            statuses=statuses,
        )
        return [app_commands.Choice(name=choice_label(q), value=q.id) for q in found]

    @show.autocomplete("id")
    @cite.autocomplete("id")
    @card.autocomplete("id")
    @search.autocomplete("text")
    async def _visible_id_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._quote_choices(interaction, current, ("approved",))

    async def _speaker_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        guild_id = served_guild_id(interaction)
        names = await quote_store.speakers(self.bot.db, guild_id, current)
        return [app_commands.Choice(name=truncate(n, 100), value=n[:100]) for n in names]

    async def _source_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = await quote_store.sources(self.bot.db, current)
        return [app_commands.Choice(name=truncate(t, 100), value=i) for i, t in found]

    async def _tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        guild_id = served_guild_id(interaction)
        return [
            app_commands.Choice(name=t, value=t)
            for t in await quote_store.tags(self.bot.db, guild_id, current)
        ]

    random.autocomplete("speaker")(_speaker_autocomplete)
    random.autocomplete("source")(_source_autocomplete)
    random.autocomplete("tag")(_tag_autocomplete)

    # -- submitting -------------------------------------------------------------------------

    @quote.command(name="submit", description="Propose a quote; a moderator reviews it")
    @app_commands.describe(
        source="preselect where it is from (the form lists this server and the sources)",
        link="a message link from this server: the form comes filled with its words and author",
    )
    @server_only()
    async def submit(
        self,
        interaction: discord.Interaction,
        source: app_commands.Range[str, 1, 64] = "discord",
        link: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        guild_id = _guild_id(interaction)
        if link is not None:  # cogs.quotes.link_cog follows it and opens the filled form
            await self.links.open_from_link(interaction, link)
            return
        if await quote_store.source_title(self.bot.db, source) is None:
            raise UserError(f"Unknown source `{truncate(source, 64)}`: pick one from the list.")
        sources = await quote_store.sources(self.bot.db)
        if all(sid != source for sid, _ in sources):  # beyond the first 25: keep it listed
            sources.insert(
                0, (source, await quote_store.source_title(self.bot.db, source) or source)
            )
        tags = await quote_store.tags(self.bot.db, guild_id, "")
        await interaction.response.send_modal(
            SubmitModal(self, sources, source, tags, self.config.max_text_length)
        )

    submit.autocomplete("source")(_source_autocomplete)

    @app_commands.guild_only()
    async def save_as_quote(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Message context menu: put a member's message in the review queue."""
        guild_id = _guild_id(interaction)
        author = message.author
        text = await self.links.quotable_text(message, verb="saved")
        if len(text) > self.config.max_text_length:
            raise UserError(
                f"That message is {len(text)} characters; quotes can be at most "
                f"{self.config.max_text_length}. Use `/quote submit` with the part that matters."
            )
        saved = Submission(
            text=text,
            speaker=author.display_name,
            guild_id=guild_id,
            submitted_by=interaction.user.id,
            origin="message",
            locator=message_link.locator(
                getattr(message.channel, "name", None), f"{message.created_at:%Y-%m-%d}"
            ),
            author_id=author.id,
            message_link=message.jump_url,
            written_at=message.created_at,
        )
        qid = await submission.queue_for_review(
            self.bot.db, saved, refusal=submission.opted_out(author.display_name, "saved")
        )
        await interaction.response.send_message(
            f"Saved {author.display_name}'s message for review as `{qid}`. "
            "A moderator will approve it with `/quote review`.",
            ephemeral=True,
        )

    # -- moderating -------------------------------------------------------------------------

    @quote.command(name="review", description="Moderators: review pending submissions")
    @moderator_only()
    @server_only()
    async def review(self, interaction: discord.Interaction) -> None:
        guild_id = _guild_id(interaction)
        batch = await review_store.pending(self.bot.db, guild_id, limit=REVIEW_BATCH)
        if not batch:
            await interaction.response.send_message("Nothing to review. 🎉", ephemeral=True)
            return
        content, embeds, view = await self._review_message(guild_id, [q.id for q in batch])
        await interaction.response.send_message(content, embeds=embeds, view=view)

    @quote.command(name="edit", description="Moderators: edit a quote's words, speaker, locator")
    @app_commands.describe(id="the quote to edit")
    @moderator_only()
    @server_only()
    async def edit(self, interaction: discord.Interaction, id: QuoteId) -> None:
        q = await quote_store.get(self.bot.db, id.strip(), _guild_id(interaction), any_status=True)
        if q is None or q.status not in ("approved", "pending"):
            raise UserError(f"There is no quote `{truncate(id, 64)}` to edit here.")
        await interaction.response.send_modal(EditModal(self, q, self.config.max_text_length))

    @quote.command(name="remove", description="Moderators: hide a quote from every command")
    @app_commands.describe(id="the quote to remove")
    @moderator_only()
    @server_only()
    async def remove(self, interaction: discord.Interaction, id: QuoteId) -> None:
        guild_id = _guild_id(interaction)
        q = await quote_store.get(self.bot.db, id.strip(), guild_id)
        removed = False
        if q is not None:
            async with self.bot.db.transaction() as tx:
                removed = await review_store.remove(tx, q.id, guild_id, interaction.user.id)
        if q is None or not removed:
            raise UserError(f"There is no quote `{truncate(id, 64)}` to remove here.")
        shared = (
            " It was a curated quote: it stays removed on re-import." if q.guild_id is None else ""
        )
        await interaction.response.send_message(
            f"Removed `{q.id}` — {citation(q)}.{shared}", ephemeral=True
        )

    @edit.autocomplete("id")
    async def _editable_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._quote_choices(interaction, current, ("approved", "pending"))

    remove.autocomplete("id")(_visible_id_autocomplete)

    @quote.command(
        name="nominations", description="Moderators: a reaction that nominates messages as quotes"
    )
    @app_commands.describe(
        emoji="the reaction that nominates a message (paste the emoji); turns nominations on",
        threshold="how many members must react (bots' and the author's own reactions don't count)",
        channels="where: mention the channels (#general #films), or `all`",
        off="turn nominations off (the other settings are kept)",
    )
    @moderator_only()
    @server_only()
    async def nominations_setup(
        self,
        interaction: discord.Interaction,
        emoji: app_commands.Range[str, 1, 64] | None = None,
        threshold: app_commands.Range[int, 1, 100] | None = None,
        channels: app_commands.Range[str, 1, 1000] | None = None,
        off: bool = False,
    ) -> None:
        guild_id = _guild_id(interaction)
        try:
            channel_ids: list[int] | Literal["keep"] | None = (
                nominations.channel_ids_in(channels) if channels is not None else "keep"
            )
            async with self.bot.db.transaction() as tx:
                await nominations_store.configure(
                    tx,
                    guild_id,
                    emoji=emoji,
                    threshold=threshold,
                    channel_ids=channel_ids,
                    off=off,
                )
        except ValueError as exc:  # rolled back: nothing changed
            raise UserError(f"Nothing was changed: {exc}.") from None
        rule = await nominations_store.rule_for(self.bot.db, guild_id)
        seen = await nominations_store.summary(self.bot.db, guild_id)
        state = (
            rule.describe()
            if rule
            else "Nominations by reaction are **off**. Turn them on by choosing an `emoji`."
        )
        tally = (
            f"\nSo far {seen.queued} nominated: {seen.pending} pending, {seen.approved} approved, "
            f"{seen.rejected} rejected (a rejected message is never nominated again)."
            if seen.queued
            else ""
        )
        await interaction.response.send_message(truncate(state + tally, 2000), ephemeral=True)

    @quote.command(name="export", description="Moderators: this server's quotes as a JSON file")
    @moderator_only()
    @server_only()
    async def export(self, interaction: discord.Interaction) -> None:
        guild_id = _guild_id(interaction)
        data = await import_store.export_json(self.bot.db, guild_id)
        raw = json.dumps(data, ensure_ascii=False, indent=2).encode()
        file = discord.File(io.BytesIO(raw), filename=f"quotes-{guild_id}.json")
        await interaction.response.send_message(
            f"{plural(len(data['quotes']), 'quote')} (curated and this server's, every status).",
            file=file,
            ephemeral=True,
        )

    @quote.command(name="import", description="Moderators: import a JSON file from /quote export")
    @app_commands.describe(file="a .json file made by /quote export (or leave it out: a form asks)")
    @moderator_only()
    @server_only()
    async def import_(
        self, interaction: discord.Interaction, file: discord.Attachment | None = None
    ) -> None:
        if file is None:  # the form's upload: pick the file after choosing the command
            await interaction.response.send_modal(ImportModal(self))
            return
        await self.import_file(interaction, file)

    async def import_file(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        """/quote import's file, given as an option or through the form's upload."""
        await ensure_moderator(interaction)
        guild_id = _guild_id(interaction)
        if file.size > MAX_IMPORT_BYTES:
            raise UserError(
                "That file is larger than 5 MB; split it or use `herbot quotes import`."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        name = truncate(clean(file.filename), 80)
        try:
            raw = await file.read()
        except discord.HTTPException:
            raise UserError(f"I couldn't download `{name}`; attach it again.") from None
        try:
            data = clean_payload(json.loads(decode_file(raw, MAX_IMPORT_BYTES)))
        except UndecodableFile as exc:
            raise UserError(f"Nothing was imported: `{name}` {exc}.") from None
        except json.JSONDecodeError as exc:
            raise UserError(f"Nothing was imported: `{name}` is not JSON ({exc}).") from None
        except (RecursionError, TooDeep):
            raise UserError(
                f"Nothing was imported: `{name}` is nested too deeply to be a /quote export file."
            ) from None
        try:
            async with self.bot.db.transaction() as tx:  # the whole file, or nothing of it
                report = await import_store.import_json(
                    tx, data, guild_id, max_text=self.config.max_text_length
                )
        except ValueError as exc:  # rolled back: nothing of the file was kept
            problems = exc.args[0]
            listed = "\n".join(f"- {truncate(p, 180)}" for p in problems[:8])
            more = f"\n…and {len(problems) - 8} more." if len(problems) > 8 else ""
            raise UserError(
                truncate(f"Nothing was imported. Problems:\n{listed}{more}", 1900)
            ) from None
        await interaction.followup.send(f"Imported: {report.summary()}.", ephemeral=True)

    # -- what the review buttons and the modals hand back (ui.QuoteActions) ------------------

    async def _review_message(
        self, guild_id: int, quote_ids: list[str]
    ) -> tuple[str, list[discord.Embed], discord.ui.View]:
        """The review message for these ids, as the database has them now (committed)."""
        db = self.bot.db
        quotes = [
            q
            for qid in quote_ids
            if (q := await quote_store.get(db, qid, guild_id, any_status=True))
        ]
        people = [u for q in quotes for u in (q.submitted_by, q.author_id, q.reviewed_by) if u]
        names = await self._names.of(self.bot.get_guild(guild_id), people)
        return review_message(quotes, await review_store.count_pending(db, guild_id), names)

    async def review_click(
        self, interaction: discord.Interaction, action: str, quote_id: str
    ) -> None:
        """A review button: approve, reject, or open the edit modal."""
        await ensure_moderator(interaction)
        guild_id = _guild_id(interaction)
        self._names.remember(interaction.user)  # the decision names who made it
        if action == "edit":
            q = await quote_store.get(self.bot.db, quote_id, guild_id, any_status=True)
            if q is None or q.status != "pending":
                raise UserError(f"`{quote_id}` was already reviewed.")
            await interaction.response.send_modal(EditModal(self, q, self.config.max_text_length))
            return
        decide = review_store.approve if action == "approve" else review_store.reject
        async with self.bot.db.transaction() as tx:
            done = await decide(tx, quote_id, guild_id, interaction.user.id)
        content, embeds, view = await self._review_message(guild_id, ids_in(interaction.message))
        if done:
            await interaction.response.edit_message(content=content, embeds=embeds, view=view)
            log.info("%s %s by %s", action, quote_id, interaction.user.id)
            return
        # Someone else was faster: show the real state and say so.
        q = await quote_store.get(self.bot.db, quote_id, guild_id, any_status=True)
        state = q.status if q else "deleted"
        await interaction.response.send_message(
            f"`{quote_id}` was already reviewed ({state}).", ephemeral=True
        )
        if interaction.message is not None:
            await interaction.message.edit(content=content, embeds=embeds, view=view)

    async def submit_quote(
        self,
        interaction: discord.Interaction,
        *,
        source_id: str,
        text: str,
        speaker: str,
        locator: str,
        tags: list[str],
    ) -> None:
        """The submit modal: the quote joins the pending queue."""
        if not await quote_store.source_exists(self.bot.db, source_id):
            raise UserError("That source no longer exists; pick another one.")
        typed = Submission(
            text=text,
            speaker=speaker,
            guild_id=_guild_id(interaction),
            submitted_by=interaction.user.id,
            source_id=source_id,
            locator=locator,
            tags=tuple(tags),
        )
        qid = await submission.queue_for_review(self.bot.db, typed)
        await interaction.response.send_message(
            f"Thanks! Your quote is waiting for a moderator as `{qid}`.", ephemeral=True
        )

    async def save_edit(
        self,
        interaction: discord.Interaction,
        quote_id: str,
        *,
        text: str,
        speaker: str,
        locator: str,
        tags: list[str],
    ) -> None:
        """The edit modal (from /quote edit or a review's Edit button)."""
        await ensure_moderator(interaction)
        guild_id = _guild_id(interaction)
        if not text or not speaker:
            raise UserError("A quote needs its words and a speaker; nothing was changed.")
        async with self.bot.db.transaction() as tx:
            changed = await review_store.edit(
                tx,
                quote_id,
                guild_id,
                interaction.user.id,
                text=text,
                speaker=speaker,
                locator=locator,
                tags=tags,
            )
        if not changed:
            raise UserError(f"`{quote_id}` can't be edited any more (removed or reviewed).")
        review_ids = ids_in(interaction.message)
        if quote_id in review_ids:  # opened from a review message: refresh it
            content, embeds, view = await self._review_message(guild_id, review_ids)
            await interaction.response.edit_message(content=content, embeds=embeds, view=view)
            return
        q = await quote_store.get(self.bot.db, quote_id, guild_id, any_status=True)
        assert q is not None
        await interaction.response.send_message(
            f"Edited `{q.id}`.", embed=quote_embed(q), ephemeral=True
        )

    # -- quote of the day -------------------------------------------------------------------

    def _start_qotd(self) -> None:
        """Look for due quotes of the day now (the scheduler's ``quotes:qotd`` timer)."""
        self.bot.scheduler.schedule_at(QOTD_KEY, self.bot.now(), self._qotd_tick)

    def _qotd_waiting(self) -> bool:
        """True while the timer waits (not while it posts: it reads the settings again)."""
        return self.bot.scheduler.due_at(QOTD_KEY) is not None

    @commands.Cog.listener()
    async def on_herbot_cache_changed(
        self, name: str, guild_id: int | None = None, key: str | None = None
    ) -> None:
        """A setting changed, here or in another process (``key`` None: any may have;
        bot/cache_sync.py): wake the waiting timer, the next due time may have moved."""
        if name != cache_sync.GUILD_SETTINGS or key not in (None, *QOTD_SETTINGS):
            return
        if self._qotd_waiting():
            self._start_qotd()

    async def _qotd_tick(self) -> None:
        """Post every due quote of the day, then wait for the next one.

        Wakes at least hourly (a setting changed outside /settings is picked up then) and a
        minute after a failed post.
        """
        await self.bot.wait_until_ready()
        now = self.bot.now()
        try:
            outcome = await self.post_due_quotes()
            due = await qotd_store.next_due(
                self.bot.db, now, self.config.qotd_time, skip=outcome.unreachable
            )
        except Exception:
            log.exception("quote of the day failed")
            outcome, due = QotdOutcome(failed=True), None
        if outcome.failed:
            wake = now + QOTD_RETRY
        else:
            wake = min(due, now + QOTD_MAX_SLEEP) if due else now + QOTD_MAX_SLEEP
        self.bot.scheduler.schedule_at(QOTD_KEY, wake, self._qotd_tick)

    async def post_due_quotes(self) -> QotdOutcome:
        """Post every due quote of the day."""
        now = self.bot.now()
        outcome = QotdOutcome()
        owner = self.bot.claim_owner
        for due in await qotd_store.due(self.bot.db, now, self.config.qotd_time):
            if not self.bot.owns_guild(due.guild_id):
                outcome.unreachable.add(due.guild_id)  # another process runs that shard
                continue
            guild = self.bot.get_guild(due.guild_id)
            channel = guild.get_channel(due.channel_id) if guild else None
            if not isinstance(channel, discord.abc.Messageable):
                outcome.unreachable.add(due.guild_id)  # not in that guild, or no such channel
                continue
            q = await qotd_store.pick(self.bot.db, due.guild_id, now)
            if q is None:
                outcome.unreachable.add(due.guild_id)  # an empty store: try again later
                continue
            # Claim the day (bot/claims.py: a lease, so a process that dies while posting
            # does not keep the day) before posting; post outside any transaction; then
            # record the day and the quote, or give the claim back, each in one transaction.
            key = f"qotd:{due.guild_id}:{due.day}"
            async with self.bot.db.transaction() as tx:
                taken = await claims.claim(tx, key, owner=owner, now=now, guild_id=due.guild_id)
            if taken is None:
                outcome.failed = True  # another process is posting it: look again in a minute
                continue
            try:
                message = await channel.send(
                    f"**Quote of the day** · {due.day}", embed=quote_embed(q)
                )
            except discord.HTTPException as exc:
                log.warning("quote of the day in %s failed (%s); will retry", due.guild_id, exc)
                async with self.bot.db.transaction() as tx:
                    await claims.release(tx, key, owner)
                outcome.failed = True
                continue
            async with self.bot.db.transaction() as tx:
                if await qotd_store.claim(tx, due.guild_id, due.day):
                    await qotd_store.record(tx, due.guild_id, due.day, q.id)
                await claims.set_result(tx, key, owner, message.id)
                await claims.finish(tx, key, owner, self.bot.now())
            outcome.posted += 1
        return outcome


@dataclass
class QotdOutcome:
    posted: int = 0
    failed: bool = False  # a post failed: try again in a minute
    unreachable: set[int] = field(default_factory=set)  # due but no channel: hourly
