"""The submit form filled from a message (``/quote submit link:`` and "Quote this message").

The member sees the message's words, its author's name and where it was, and may trim or
correct them; the author and the jump link stay with the form (they are the quote's
provenance, not something to type). The submitted form is handed to the ``QuoteLinks`` cog
that opened it, given to the form as :class:`LinkedQuoteActions` (this module imports no cog).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import discord

from bot.errors import UserError, report
from bot.presentation import truncate
from cogs.quotes.ui import chosen_tags, tag_checkboxes

COG_NAME = "QuoteLinks"


@dataclass(frozen=True, slots=True)
class Draft:
    """What the form starts with, read from the message."""

    text: str
    speaker: str
    locator: str
    author_id: int
    message_link: str
    cut_from: int | None = None  # the message's length when its text had to be cut
    written_at: datetime | None = None  # when the message was sent


class LinkedQuoteActions(Protocol):
    async def submit_linked(
        self,
        interaction: discord.Interaction,
        draft: Draft,
        *,
        text: str,
        speaker: str,
        locator: str,
        tags: list[str],
    ) -> None: ...


class LinkedSubmitModal(discord.ui.Modal, title="Quote this message"):
    def __init__(
        self, actions: LinkedQuoteActions, draft: Draft, tags: list[str], max_text: int
    ) -> None:
        super().__init__(timeout=None)
        self.actions = actions
        self.draft = draft
        cut = (
            f"\n-# The message has {draft.cut_from} characters; a quote holds at most "
            f"{max_text}: keep the part that matters."
            if draft.cut_from
            else ""
        )
        self.add_item(discord.ui.TextDisplay(truncate(f"From {draft.message_link}{cut}", 4000)))
        self.text: discord.ui.TextInput = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            default=draft.text[:max_text],
            max_length=max_text,
            custom_id="text",
        )
        self.speaker: discord.ui.TextInput = discord.ui.TextInput(
            default=draft.speaker[:100], max_length=100, custom_id="speaker"
        )
        self.locator: discord.ui.TextInput = discord.ui.TextInput(
            default=draft.locator[:200], required=False, max_length=200, custom_id="locator"
        )
        self.add_item(discord.ui.Label(text="Quote (exact words)", component=self.text))
        self.add_item(discord.ui.Label(text="Who wrote it", component=self.speaker))
        self.add_item(discord.ui.Label(text="Where (optional)", component=self.locator))
        self.tags = tag_checkboxes(tags)
        if self.tags is not None:
            self.add_item(discord.ui.Label(text="Tags (optional)", component=self.tags))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text, speaker = self.text.value.strip(), self.speaker.value.strip()
        if not text or not speaker:
            raise UserError("A quote needs its words and who wrote them; nothing was saved.")
        await self.actions.submit_linked(
            interaction,
            self.draft,
            text=text,
            speaker=speaker,
            locator=self.locator.value.strip(),
            tags=chosen_tags(self.tags),
        )

    # discord.py's Modal.on_error drops BaseView's `item`; mypy checks against both
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report(interaction, error, "modal Quote this message")
