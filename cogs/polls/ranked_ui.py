"""Approval and ranked polls on Discord: persistent selects and buttons, the embed, the result.

Every component keeps its state in its custom_id, so it works after a restart:

* ``herbot:poll:approve:<poll>`` — the approval poll's select (at most ``max_choices``).
* ``herbot:poll:rank:<poll>`` — "Rank the options" on a ranked poll: opens a private ranking
  builder for the member.
* ``herbot:poll:rpick:<poll>:<ranking>`` — in the builder, one button per option not ranked
  yet; its id holds the ranking it leads to (``2.0`` = third option first, then the first).
  An empty ranking is "Start over".
* ``herbot:poll:rsave:<poll>:<ranking>`` — "Submit ranking": the ballot is the ranking in it.

Each id is spelled once (:class:`bot.components.Persistent`); a click is handed to the
Polls cog, registered as their handler when it loads (this module never imports a cog). The
retract button is the single-choice one (:class:`cogs.polls.ui.PollRetractButton`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, Self, cast

import discord

from bot import cards
from bot.components import Field, Persistent
from bot.presentation import BUTTON_LABEL_LIMIT, EMBED_DESCRIPTION_LIMIT, plural, truncate
from cogs.polls import eligibility, irv
from cogs.polls.ballots import KIND_NAMES, Summary, cap, decode, encode
from cogs.polls.embeds_ui import BLURPLE, bar, poll_notes
from cogs.polls.polls import Poll
from cogs.polls.ui import PollRetractButton

RESULT_COLOUR = discord.Colour.green()
QUESTION_LIMIT = 600
SELECT_LABEL_LIMIT = 100


class BallotHandler(Protocol):
    """What the approval and ranking components need of the Polls cog."""

    async def on_approve(
        self, interaction: discord.Interaction, poll_id: int, values: list[str]
    ) -> None: ...

    async def on_rank_open(self, interaction: discord.Interaction, poll_id: int) -> None: ...

    async def on_rank_pick(
        self, interaction: discord.Interaction, poll_id: int, ranking: tuple[int, ...]
    ) -> None: ...

    async def on_rank_save(
        self, interaction: discord.Interaction, poll_id: int, ranking: tuple[int, ...]
    ) -> None: ...


class ApprovalSelect(
    Persistent[discord.ui.Select, BallotHandler],
    id="herbot:poll:approve:{poll_id:int}",
    what="approval select",
):
    def __init__(self, poll_id: int, select: discord.ui.Select | None = None) -> None:
        self.poll_id = poll_id
        super().__init__(select or discord.ui.Select())

    @classmethod
    def rebuild(cls, item: discord.ui.Item[Any], **fields: Any) -> Self:
        return cls(**fields, select=cast(discord.ui.Select, item))

    async def handle(self, handler: BallotHandler, interaction: discord.Interaction) -> None:
        values = [str(v) for v in cast(dict[str, Any], interaction.data or {}).get("values", [])]
        await handler.on_approve(interaction, self.poll_id, values)


def approval_select(poll: Poll) -> ApprovalSelect:
    most = cap(poll)
    select: discord.ui.Select = discord.ui.Select(
        placeholder=f"Approve up to {plural(most, 'option')}",
        min_values=1,
        max_values=most,
        options=[
            discord.SelectOption(label=truncate(label, SELECT_LABEL_LIMIT), value=str(i))
            for i, label in enumerate(poll.options)
        ],
    )
    return ApprovalSelect(poll.id, select)


class RankButton(
    Persistent[discord.ui.Button, BallotHandler],
    id="herbot:poll:rank:{poll_id:int}",
    what="rank",
):
    def __init__(self, poll_id: int) -> None:
        self.poll_id = poll_id
        super().__init__(
            discord.ui.Button(label="Rank the options", style=discord.ButtonStyle.primary)
        )

    async def handle(self, handler: BallotHandler, interaction: discord.Interaction) -> None:
        await handler.on_rank_open(interaction, self.poll_id)


# The options in order of preference: "2.0" = the third option first, then the first.
RANKING = Field(r"(?:\d(?:\.\d){0,9})?", parse=decode, format=encode)


class RankPick(
    Persistent[discord.ui.Button, BallotHandler],
    id="herbot:poll:rpick:{poll_id:int}:{ranking}",
    ranking=RANKING,
    what="rank pick",
):
    def __init__(self, poll_id: int, ranking: tuple[int, ...], label: str = "pick") -> None:
        self.poll_id = poll_id
        self.ranking = ranking
        start_over = not ranking
        super().__init__(
            discord.ui.Button(
                label=truncate(label, BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.secondary if start_over else discord.ButtonStyle.primary,
                row=2 if start_over else None,
            )
        )

    @classmethod
    def rebuild(cls, item: discord.ui.Item[Any], **fields: Any) -> Self:
        return cls(**fields, label=cast(discord.ui.Button, item).label or "pick")

    async def handle(self, handler: BallotHandler, interaction: discord.Interaction) -> None:
        await handler.on_rank_pick(interaction, self.poll_id, self.ranking)


class RankSave(
    Persistent[discord.ui.Button, BallotHandler],
    id="herbot:poll:rsave:{poll_id:int}:{ranking}",  # its prefix is on bot/fastlane.py
    ranking=RANKING,
    what="rank submit",
):
    def __init__(self, poll_id: int, ranking: tuple[int, ...]) -> None:
        self.poll_id = poll_id
        self.ranking = ranking
        super().__init__(
            discord.ui.Button(label="Submit ranking", style=discord.ButtonStyle.success, row=2)
        )

    async def handle(self, handler: BallotHandler, interaction: discord.Interaction) -> None:
        await handler.on_rank_save(interaction, self.poll_id, self.ranking)


DYNAMIC_ITEMS = (ApprovalSelect, RankButton, RankPick, RankSave)


def ballot_view(poll: Poll) -> discord.ui.View:
    """The components under an approval or ranked poll's message."""
    view = discord.ui.View(timeout=None)
    if poll.ballot_kind == "approval":
        view.add_item(approval_select(poll))
    else:
        view.add_item(RankButton(poll.id))
    view.add_item(PollRetractButton(poll.id))
    return view


def builder_text(poll: Poll, ranking: tuple[int, ...], current: tuple[int, ...] | None) -> str:
    lines = [f"**Rank poll #{poll.id}:** {truncate(poll.question, 300)}"]
    if current:
        lines.append("Your ballot now: " + " > ".join(f"**{poll.options[p]}**" for p in current))
    if ranking:
        lines.append("Your new ranking:")
        lines += [f"{n}. {poll.options[p]}" for n, p in enumerate(ranking, 1)]
    else:
        lines.append("Click the options in your order of preference (rank as many as you like).")
    lines.append("Then press **Submit ranking**.")
    return "\n".join(lines)


def builder_view(poll: Poll, ranking: tuple[int, ...]) -> discord.ui.View:
    """The private ranking builder: the options not ranked yet, Submit, Start over."""
    view = discord.ui.View(timeout=None)
    for p, label in enumerate(poll.options):
        if p not in ranking:
            view.add_item(RankPick(poll.id, (*ranking, p), label))
    view.add_item(RankSave(poll.id, ranking))
    view.add_item(RankPick(poll.id, (), "Start over"))
    return view


def summary_lines(poll: Poll, found: Summary) -> list[str]:
    what = "approve" if poll.ballot_kind == "approval" else "rank it first"
    return [f"**{label}** — {n} ({pct}% {what})\n`{bar(pct)}`" for label, n, pct in found.rows()]


def ballot_poll_embed(poll: Poll, found: Summary, now: datetime) -> discord.Embed:
    """An approval or ranked poll's live message (the single-choice one is embeds_ui's)."""
    lines = [f"## {poll.question}"]
    ballots = plural(found.ballots, "ballot")
    if poll.live or not poll.is_open:
        lines += summary_lines(poll, found)
        lines.append(f"\n{ballots}")
    else:
        lines += [f"• {label}" for label in poll.options]
        lines.append(
            f"\nThe tally is hidden until the poll closes. Ballots so far: {found.ballots}"
        )
    if poll.eligibility.quorum is not None:
        count = eligibility.turnout(found.ballots, poll.eligibility)
        lines.append(count.live() if poll.is_open else (count.verdict() or ""))
    embed = discord.Embed(
        title=f"Poll #{poll.id}" + ("" if poll.is_open else " — closed"),
        description=truncate("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=BLURPLE if poll.is_open else discord.Colour.dark_grey(),
    )
    notes = [f"Kind: {KIND_NAMES[poll.ballot_kind]}"]
    if poll.ballot_kind == "approval":
        notes.append(f"Approve up to {cap(poll)} of {len(poll.options)} options")
    else:
        notes.append("Counted by instant runoff when it closes")
    notes += poll_notes(poll)
    embed.add_field(name="About", value="\n".join(notes), inline=False)
    embed.set_footer(text="One ballot per member: vote again to change it, or retract it.")
    return embed


def rounds_table(poll: Poll, result: irv.Result) -> str:
    """Each round's counts, one column per round: ✗ eliminated that round, ✓ the winner."""
    width = min(24, max(len("exhausted"), *(len(o) for o in poll.options)))
    header = f"{'Option':<{width}}" + "".join(f"{'R' + str(r.number):>6}" for r in result.rounds)
    lines = [header]
    for p, label in enumerate(poll.options):
        cells = []
        for r in result.rounds:
            if p not in r.counts:
                cells.append(f"{'':>6}")
                continue
            mark = (
                "✗"
                if r.eliminated == p
                else ("✓" if result.winner == p and r is result.rounds[-1] else " ")
            )
            cells.append(f"{r.counts[p]:>5}{mark}")
        lines.append(f"{truncate(label, width):<{width}}" + "".join(cells).rstrip())
    lines.append(
        f"{'exhausted':<{width}}" + "".join(f"{r.exhausted:>5} " for r in result.rounds).rstrip()
    )
    return "```\n" + "\n".join(lines) + "\n```"


def transfer_lines(poll: Poll, result: irv.Result) -> list[str]:
    lines = []
    for r in result.rounds:
        if r.eliminated is None:
            continue
        moves = ", ".join(
            f"{'exhausted' if to == irv.EXHAUSTED else poll.options[to]} +{n}"
            for to, n in sorted(r.transfers.items(), key=lambda kv: (kv[0] == irv.EXHAUSTED, kv[0]))
        )
        tie = " (tie-break)" if r.tie_break else ""
        lines.append(
            f"Round {r.number}: **{poll.options[r.eliminated]}** out{tie} → {moves or 'no ballots'}"
        )
    return lines


def chart_name(poll: Poll) -> str:
    return f"poll-{poll.id}.png"


def _quorum_line(poll: Poll, ballots: int) -> list[discord.ui.TextDisplay[discord.ui.LayoutView]]:
    said = eligibility.turnout(ballots, poll.eligibility).verdict()
    return [cards.text(said)] if said else []


def ranked_result_card(poll: Poll, result: irv.Result) -> discord.ui.LayoutView:
    """The instant-runoff result: the winner, the rounds table, transfers, the chart."""
    if result.winner is None:
        verdict = "No ballots were cast: no winner."
    else:
        rounds = plural(len(result.rounds), "round")
        verdict = f"Winner: **{poll.options[result.winner]}** after {rounds}"
        if result.decided_by_tie_break:
            verdict += (
                "\n-# A tie for last place was broken: the option with fewer votes in the latest"
                " earlier round where they differed went out (if never, the one listed last)."
            )

    def build(scale: float) -> discord.ui.LayoutView:
        parts = [
            cards.text(f"### Result of poll #{poll.id}"),
            cards.text(f"**{truncate(poll.question, int(QUESTION_LIMIT * scale))}**"),
            cards.separator(),
            cards.text(verdict),
            cards.text(rounds_table(poll, result)),
            *_quorum_line(poll, result.ballots),
        ]
        moves = transfer_lines(poll, result)
        if moves:
            parts.append(cards.text("\n".join(moves)))
        parts += [
            cards.gallery(f"attachment://{chart_name(poll)}"),
            cards.text(f"-# {plural(result.ballots, 'ballot')}, ranked choice"),
        ]
        return cards.card(*parts, colour=RESULT_COLOUR)

    return cards.fitted(build)


def approval_result_card(poll: Poll, found: Summary) -> discord.ui.LayoutView:
    def build(scale: float) -> discord.ui.LayoutView:
        return cards.card(
            cards.text(f"### Result of poll #{poll.id}"),
            cards.text(f"**{truncate(poll.question, int(QUESTION_LIMIT * scale))}**"),
            cards.separator(),
            cards.text("\n".join(summary_lines(poll, found))),
            *_quorum_line(poll, found.ballots),
            cards.gallery(f"attachment://{chart_name(poll)}"),
            cards.text(f"-# {plural(found.ballots, 'ballot')}, approval (up to {cap(poll)} each)"),
            colour=RESULT_COLOUR,
        )

    return cards.fitted(build)
