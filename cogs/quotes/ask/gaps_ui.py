"""/ask's loop on Discord: the gap list with its buttons, the answer form, the rating buttons.

Builders and persistent items only: a click goes to the ``Asked`` cog through
:class:`GapActions` (registered when it loads, :mod:`bot.components`; never imported here).
"""

from __future__ import annotations

from typing import Any, Protocol

import discord

from bot.components import Field, Persistent
from bot.errors import report
from bot.presentation import escape_markdown, truncate
from cogs.quotes.ask.gaps import Group
from cogs.quotes.ask.gaps_store import Stats

GROUPS_PER_PAGE = 4  # one row of three buttons each, and a row for the pages (5 rows at most)
REASONS = {"declined": "declined", "weak": "weakly answered", "unhelpful": "rated not helpful"}
ACTIONS = {"answer": "Answer with a quote", "scope": "Out of scope", "dismiss": "Dismiss"}


class GapActions(Protocol):
    """What the loop's buttons and forms ask of the ``Asked`` cog."""

    async def gap_action(
        self, interaction: discord.Interaction, action: str, gap_id: int
    ) -> None: ...

    async def gaps_page(self, interaction: discord.Interaction, page: int) -> None: ...

    async def answer_gap(
        self,
        interaction: discord.Interaction,
        gap_id: int,
        *,
        quote_id: str = "",
        text: str = "",
        speaker: str = "",
    ) -> None: ...

    async def rate(
        self, interaction: discord.Interaction, session_id: str, helpful: bool
    ) -> None: ...


def _group_line(number: int, group: Group) -> str:
    lead = group.lead
    reasons = sorted({REASONS[g.reason] for g in group.gaps})
    members = "member" if group.askers == 1 else "members"
    head = (
        f"**{number}.** “{escape_markdown(truncate(lead.question, 200))}” — asked "
        f"{group.asked}× by {group.askers} {members} ({', '.join(reasons)})"
    )
    others = group.questions[1:4]
    if others:
        head += "\n-# also: " + " · ".join(f"“{escape_markdown(truncate(q, 80))}”" for q in others)
    return head


def gaps_message(groups: list[Group], page: int) -> tuple[str, discord.ui.View | None]:
    """One page of the gap groups, most asked first, each with its three buttons."""
    if not groups:
        return (
            "No open knowledge gaps: every question /ask was asked here lately was answered "
            "(or a curator decided it already). 🎉",
            None,
        )
    pages = max(1, -(-len(groups) // GROUPS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = groups[page * GROUPS_PER_PAGE : (page + 1) * GROUPS_PER_PAGE]
    lines = [
        f"**Knowledge gaps** — questions /ask could not answer well here, most asked first "
        f"(page {page + 1} of {pages}, {len(groups)} group{'s' if len(groups) != 1 else ''})"
    ]
    view = discord.ui.View(timeout=None)
    for i, group in enumerate(shown, start=page * GROUPS_PER_PAGE + 1):
        lines.append(_group_line(i, group))
        row = i - page * GROUPS_PER_PAGE - 1
        for action in ACTIONS:
            view.add_item(GapButton(action, group.id, number=i, row=row))
    if pages > 1:
        if page > 0:
            view.add_item(GapsPageButton(page - 1, label="Previous"))
        if page < pages - 1:
            view.add_item(GapsPageButton(page + 1, label="Next"))
    return truncate("\n".join(lines), 2000), view


class GapButton(
    Persistent[discord.ui.Button, GapActions],
    id="herbot:ask:gap:{action:word}:{gap_id:int}",
    what="/asked gaps {action}",
):
    """Answer, Out of scope or Dismiss for the group whose first gap is ``gap_id``."""

    def __init__(
        self, action: str, gap_id: int, *, number: int = 0, row: int | None = None
    ) -> None:
        self.action, self.gap_id = action, gap_id
        label = ACTIONS.get(action, action)
        style = discord.ButtonStyle.primary if action == "answer" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(label=f"{number}. {label}" if number else label, style=style, row=row)
        )

    @classmethod
    def rebuild(cls, item: discord.ui.Item[Any], **fields: Any) -> GapButton:
        made = cls(fields["action"], fields["gap_id"])
        made.item.label = getattr(item, "label", None) or made.item.label  # "2. Dismiss"
        return made

    async def handle(self, handler: GapActions, interaction: discord.Interaction) -> None:
        await handler.gap_action(interaction, self.action, self.gap_id)


class GapsPageButton(
    Persistent[discord.ui.Button, GapActions],
    id="herbot:ask:gaps:{page:int}",
    what="/asked gaps page",
):
    def __init__(self, page: int, *, label: str = "Page") -> None:
        self.page = page
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, row=4))

    @classmethod
    def rebuild(cls, item: discord.ui.Item[Any], **fields: Any) -> GapsPageButton:
        return cls(fields["page"], label=getattr(item, "label", None) or "Page")

    async def handle(self, handler: GapActions, interaction: discord.Interaction) -> None:
        await handler.gaps_page(interaction, self.page)


class RateButton(
    Persistent[discord.ui.Button, GapActions],
    id="herbot:ask:rate:{session_id}:{helpful:digit}",
    session_id=Field(r"[0-9a-f]{1,20}"),
    what="/ask rating",
):
    """Helpful (1) / Not helpful (0) on an answer: one rating per member, changeable."""

    def __init__(self, session_id: str, helpful: int) -> None:
        self.session_id, self.helpful = session_id, helpful
        super().__init__(
            discord.ui.Button(
                label="Helpful" if helpful else "Not helpful",
                emoji="👍" if helpful else "👎",
                style=discord.ButtonStyle.secondary,
            )
        )

    async def handle(self, handler: GapActions, interaction: discord.Interaction) -> None:
        await handler.rate(interaction, self.session_id, bool(self.helpful))


def rating_row(session_id: str) -> discord.ui.ActionRow[discord.ui.LayoutView]:
    buttons: list[discord.ui.Item[Any]] = [RateButton(session_id, 1), RateButton(session_id, 0)]
    return discord.ui.ActionRow(*buttons)


class AnswerGapModal(discord.ui.Modal, title="Answer with a quote"):
    """An existing quote's id, or the words of a new server quote (it goes to review)."""

    def __init__(self, actions: GapActions, gap_id: int, question: str) -> None:
        super().__init__(timeout=None)
        self.actions, self.gap_id = actions, gap_id
        self.add_item(discord.ui.TextDisplay(f"“{escape_markdown(truncate(question, 300))}”"))
        self.quote_id: discord.ui.TextInput = discord.ui.TextInput(
            required=False, max_length=80, custom_id="quote_id", placeholder="film-cast-samantha"
        )
        self.text: discord.ui.TextInput = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, required=False, max_length=1000, custom_id="text"
        )
        self.speaker: discord.ui.TextInput = discord.ui.TextInput(
            required=False, max_length=100, custom_id="speaker"
        )
        self.add_item(
            discord.ui.Label(
                text="An existing quote's id",
                description="From /quote search; or leave empty and write a new quote below",
                component=self.quote_id,
            )
        )
        self.add_item(discord.ui.Label(text="Or a new quote's words", component=self.text))
        self.add_item(discord.ui.Label(text="Who said them (new quote)", component=self.speaker))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.actions.answer_gap(
            interaction,
            self.gap_id,
            quote_id=self.quote_id.value.strip(),
            text=self.text.value.strip(),
            speaker=self.speaker.value.strip(),
        )

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report(interaction, error, "modal Answer with a quote")


def stats_text(stats: Stats) -> str:
    lines = [
        "**/ask in this server** (the last 90 days)",
        f"Asked: {stats.asked} · answered: {stats.answered} · declined: {stats.declined}",
        f"Rated: {stats.rated} ({stats.helpful} helpful, {stats.rated - stats.helpful} not)"
        f" · open knowledge gaps: {stats.open_gaps}",
    ]
    if stats.most_asked:
        lines.append("\n**Most asked**")
        lines += [f"{n}× “{escape_markdown(truncate(q, 150))}”" for q, n in stats.most_asked]
    if stats.worst_rated:
        lines.append("\n**Worst rated answers**")
        lines += [
            f"`{qid}`: {bad} not helpful, {good} helpful" for qid, bad, good in stats.worst_rated
        ]
    return truncate("\n".join(lines), 2000)
