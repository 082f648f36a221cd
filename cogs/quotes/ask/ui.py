"""/ask's embeds and its persistent "More results" and "Context" buttons.

Builders only: a click is handed to the ``Ask`` cog through :class:`AskActions`: the cog is
the buttons' handler, registered when it loads (:mod:`bot.components`; this module never
imports the cog).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from bot import cards
from bot.components import Field, Persistent
from bot.presentation import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    escape_markdown,
    truncate,
)
from cogs.quotes.ask import answer as answers
from cogs.quotes.ask.answer import Answer, Result
from cogs.quotes.ask.gaps_ui import rating_row
from cogs.quotes.ask.passages import Passage
from cogs.quotes.ui import CiteButton

PAGE = 3
ANSWER_COLOUR = discord.Colour.blurple()
DECLINE_COLOUR = discord.Colour.light_grey()
BEST_TEXT_LIMIT = 1500
OTHER_TEXT_LIMIT = 700
CONTEXT_TEXT_LIMIT = 700

MODE_NOTE = {
    "hybrid": "Keyword ({ranking}) and meaning (MiniLM) search",
    "lexical": "Keyword search only ({ranking})",
    "dense": "Meaning search only",
}


def mode_note(answer: Answer) -> str:
    """How the answer was found, naming the keyword ranking its engine ran (BM25, ts_rank)."""
    return MODE_NOTE[answer.mode].format(ranking=answer.ranking)


def _cite(passage: Passage) -> str:
    return f"Source: {passage.citation} · `{passage.id}`"


def _footer(answer: Answer, note: str | None) -> str:
    shown = f"{answer.offset + 1}–{answer.offset + len(answer.results)} of {answer.total}"
    parts = [f"Passages {shown}" if answer.results else None, mode_note(answer), note]
    return " · ".join(p for p in parts if p)


def answer_embed(answer: Answer, *, note: str | None = None) -> discord.Embed:
    """The best passage (answer terms in bold), its citation, and up to two more."""
    if answer.declined:
        return decline_embed(answer, note=note)
    best, *others = answer.results
    label = "Best passage" if answer.offset == 0 else f"Passage {answer.offset + 1}"
    description = (
        f"**{label}**\n{answers.markdown(best.segments, BEST_TEXT_LIMIT)}\n{_cite(best.passage)}"
    )
    if answer.premise:
        description = f"*{escape_markdown(answer.premise)}*\n\n{description}"
    embed = discord.Embed(
        title=truncate(escape_markdown(answer.question), EMBED_TITLE_LIMIT),
        description=truncate(description, EMBED_DESCRIPTION_LIMIT),
        colour=ANSWER_COLOUR,
    )
    for i, result in enumerate(others, start=answer.offset + 2):
        embed.add_field(name=f"Passage {i}", value=_field_value(result), inline=False)
    embed.set_footer(text=_footer(answer, note))
    return embed


def _field_value(result: Result, *, bold: bool = True) -> str:
    cite = _cite(result.passage)
    room = EMBED_FIELD_VALUE_LIMIT - len(cite) - 1
    segments = result.segments if bold else [(result.passage.text, False)]
    text = answers.markdown(segments, min(OTHER_TEXT_LIMIT, room))
    return truncate(f"{text}\n{cite}", EMBED_FIELD_VALUE_LIMIT)


def _name_notes(answer: Answer) -> list[str]:
    """Why a question naming things was declined: names never mentioned, or only in passing."""
    lines = []
    if answer.unknown:
        named = ", ".join(escape_markdown(n) for n in answer.unknown)
        lines.append(f"It never mentions {truncate(named, 300)}.")
    if answer.passing:
        named = ", ".join(escape_markdown(n) for n in answer.passing)
        lines.append(f"It mentions {truncate(named, 300)} only in passing.")
    return lines


def decline_embed(answer: Answer, *, note: str | None = None) -> discord.Embed:
    """Nothing relevant: say so plainly, and offer nearby quotes labelled as such."""
    lines = [
        "Nothing in the quote store answers that. "
        "Try other words, or browse the store with /quote search."
    ]
    lines += _name_notes(answer)
    if answer.suggestions:
        lines.append("\nRelated quotes (not an answer):")
    embed = discord.Embed(
        title=truncate(escape_markdown(answer.question), EMBED_TITLE_LIMIT),
        description="\n".join(lines),
        colour=DECLINE_COLOUR,
    )
    for result in answer.suggestions:
        embed.add_field(name="Related", value=_field_value(result, bold=False), inline=False)
    embed.set_footer(text=_footer(answer, note))
    return embed


DECLINE_TEXT = (
    "Nothing in the quote store answers that. "
    "Try other words, or browse the store with /quote search."
)
OUT_OF_SCOPE_TEXT = (
    "This server's curators keep /ask to what the quote store is about: questions like this "
    "are out of scope here."
)
TAUGHT_NOTE = "answer taught by this server's curators"


def answer_card(
    answer: Answer, session_id: str, *, note: str | None = None
) -> discord.ui.LayoutView:
    """/ask's answer as a Components V2 card.

    The question as a heading; the best passage (answer terms in bold) with its citation;
    a separator before each further passage; a small footer (which passages, how they were
    found); then **More results**, **Context** and **Cite**. A declined question says so
    and shows related quotes, labelled as such, with no buttons (nothing there is an answer).
    Within Discord's 4,000 display characters however long the citations are.
    """

    def build(scale: float) -> discord.ui.LayoutView:
        parts: list[discord.ui.Item[discord.ui.LayoutView]] = [
            cards.text(f"### {truncate(escape_markdown(answer.question), 400)}")
        ]
        if answer.declined:
            lines = [OUT_OF_SCOPE_TEXT if answer.learned == "out_of_scope" else DECLINE_TEXT]
            lines += _name_notes(answer)
            parts.append(cards.text("\n".join(lines)))
            for result in answer.suggestions:
                parts.append(cards.separator())
                parts.append(
                    cards.text(_card_passage("Related (not an answer)", result, scale, bold=False))
                )
        else:
            best, *others = answer.results
            label = "Best passage" if answer.offset == 0 else f"Passage {answer.offset + 1}"
            if answer.premise:
                parts.append(cards.text(f"*{truncate(escape_markdown(answer.premise), 400)}*"))
            parts.append(cards.text(_card_passage(label, best, scale, limit=BEST_TEXT_LIMIT)))
            for i, result in enumerate(others, start=answer.offset + 2):
                parts.append(cards.separator())
                parts.append(cards.text(_card_passage(f"Passage {i}", result, scale)))
        parts.append(cards.separator(visible=False))
        taught = TAUGHT_NOTE if answer.learned == "taught" else None
        footer = " · ".join(p for p in (_footer(answer, note), taught) if p)
        parts.append(cards.text(f"-# {truncate(footer, 300)}"))
        if not answer.declined and answer.results:
            parts.append(rating_row(session_id))  # Helpful / Not helpful, above the others
        return cards.card(*parts, colour=_colour(answer), buttons=card_buttons(answer, session_id))

    return cards.fitted(build)


def _colour(answer: Answer) -> discord.Colour:
    return DECLINE_COLOUR if answer.declined else ANSWER_COLOUR


def _card_passage(
    label: str, result: Result, scale: float, *, limit: int = OTHER_TEXT_LIMIT, bold: bool = True
) -> str:
    segments = result.segments if bold else [(result.passage.text, False)]
    text = answers.markdown(segments, max(80, int(limit * scale)))
    cite = truncate(_cite(result.passage), max(120, int(600 * scale)))
    return f"**{label}**\n{text}\n-# {cite}"


def card_buttons(answer: Answer, session_id: str) -> list[discord.ui.Item[Any]]:
    """More results (when there are more), Context and Cite for the page's first passage."""
    if answer.declined or not answer.results:
        return []
    found: list[discord.ui.Item[Any]] = []
    if answer.has_more:
        found.append(MoreButton(session_id, answer.offset + len(answer.results)))
    quote_id = answer.results[0].passage.id
    if _QUOTE_ID.fullmatch(quote_id):
        found.append(ContextButton(quote_id))
        found.append(CiteButton(quote_id))
    return found


def context_embed(passage: Passage, before: list[Passage], after: list[Passage]) -> discord.Embed:
    """The passage in the middle, the neighbouring passages of its source around it."""

    def line(p: Passage, *, focus: bool = False) -> str:
        # Code spans show backslashes as typed: keep the locator as is, minus backticks.
        where = f"`{p.locator.replace('`', 'ˋ')}` " if p.locator else ""
        where += f"{escape_markdown(p.speaker)}: "  # whose words, as every citation says
        text = escape_markdown(truncate(p.text, CONTEXT_TEXT_LIMIT))
        return f"{where}**{text}**" if focus else f"{where}{text}"

    lines = [line(p) for p in before] + [line(passage, focus=True)] + [line(p) for p in after]
    if not before and not after:
        lines.append("\n(No other passage of this source is in the store.)")
    embed = discord.Embed(
        title=truncate(f"Context: {passage.source_label}", EMBED_TITLE_LIMIT),
        description=truncate("\n\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=ANSWER_COLOUR,
    )
    embed.set_footer(text=truncate(f"{passage.plain_citation} · {passage.id}", 2048))
    return embed


class AskActions(Protocol):
    """What the buttons ask of the ``Ask`` cog."""

    async def send_more(
        self, interaction: discord.Interaction, session_id: str, offset: int
    ) -> None: ...

    async def send_context(self, interaction: discord.Interaction, quote_id: str) -> None: ...


class MoreButton(
    Persistent[discord.ui.Button, AskActions],
    id="herbot:ask:more:{session_id}:{offset}",
    session_id=Field(r"[0-9a-f]{1,20}"),
    offset=Field(r"\d{1,3}", int),
    what="/ask More results",
):
    """Survives restarts: the custom_id holds the stored question's id and the next page."""

    def __init__(self, session_id: str, offset: int) -> None:
        self.session_id, self.offset = session_id, offset
        super().__init__(
            discord.ui.Button(label="More results", style=discord.ButtonStyle.secondary)
        )

    async def handle(self, handler: AskActions, interaction: discord.Interaction) -> None:
        await handler.send_more(interaction, self.session_id, self.offset)


class ContextButton(
    Persistent[discord.ui.Button, AskActions],
    id="herbot:ask:ctx:{quote_id}",
    quote_id=Field(r"[a-z0-9-]{1,80}"),
    what="/ask Context",
):
    """Survives restarts: the custom_id holds the quote id whose neighbours to show."""

    def __init__(self, quote_id: str) -> None:
        self.quote_id = quote_id
        super().__init__(discord.ui.Button(label="Context", style=discord.ButtonStyle.secondary))

    async def handle(self, handler: AskActions, interaction: discord.Interaction) -> None:
        await handler.send_context(interaction, self.quote_id)


_QUOTE_ID = re.compile(r"[a-z0-9-]{1,80}")


def buttons(answer: Answer, session_id: str) -> discord.ui.View | None:
    """ "More results" when there are more, "Context" for the page's first passage."""
    if answer.declined or not answer.results:
        return None
    view = discord.ui.View(timeout=None)
    if answer.has_more:
        view.add_item(MoreButton(session_id, answer.offset + len(answer.results)))
    quote_id = answer.results[0].passage.id
    if _QUOTE_ID.fullmatch(quote_id):
        view.add_item(ContextButton(quote_id))
    return view
