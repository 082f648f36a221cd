"""Judges in the thread: the ballot call with its buttons, the private ballot form, the decision.

``herbot:debate:judge:<debate>:<ballot|release>`` is a persistent button
(:class:`bot.components.Persistent`) under the message that opens the ballots after the last
speech: **Fill in my ballot** opens the judge's own form (a modal: private, prefilled with
their ballot when they change it), **Release decision** is the chair's. Who may press what is
checked by the cog; this module never imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import discord

from bot.components import Persistent
from bot.errors import report
from bot.presentation import truncate
from cogs.debate import judging
from cogs.debate.formats import Format

ACTIONS = {"ballot": "Fill in my ballot", "release": "Release decision"}


class JudgeHandler(Protocol):
    async def on_judge_control(
        self, interaction: discord.Interaction, debate_id: int, action: str
    ) -> None: ...

    async def on_ballot(
        self, interaction: discord.Interaction, debate_id: int, ranking: str, points: str
    ) -> None: ...


class JudgeControl(
    Persistent[discord.ui.Button, JudgeHandler],
    id="herbot:debate:judge:{debate_id:int}:{action:word}",
    what="judges' {action}",
):
    def __init__(self, debate_id: int, action: str) -> None:
        self.debate_id = debate_id
        self.action = action
        super().__init__(
            discord.ui.Button(
                label=ACTIONS.get(action, action),
                style=discord.ButtonStyle.primary
                if action == "ballot"
                else discord.ButtonStyle.secondary,
            )
        )

    async def handle(self, handler: JudgeHandler, interaction: discord.Interaction) -> None:
        await handler.on_judge_control(interaction, self.debate_id, self.action)


def ballots_view(debate_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(JudgeControl(debate_id, "ballot"))
    view.add_item(JudgeControl(debate_id, "release"))
    return view


def ballots_open_text(debate_id: int, judges: Sequence[int]) -> str:
    panel = ", ".join(f"<@{j}>" for j in judges)
    return (
        f"⚖️ **Judges' ballots are open** for debate #{debate_id}: {panel}. Press **Fill in my "
        "ballot** (only you see it); you can change it until the chair releases the decision."
    )


class BallotModal(discord.ui.Modal):
    def __init__(
        self,
        handler: JudgeHandler,
        debate_id: int,
        fmt: Format,
        ballot: judging.Ballot | None,
    ) -> None:
        super().__init__(title=truncate(f"Your ballot: debate #{debate_id}", 45), timeout=900)
        self.handler = handler
        self.debate_id = debate_id
        two = len(fmt.teams) == 2
        self.ranking: discord.ui.TextInput[BallotModal] = discord.ui.TextInput(
            label="Winner" if two else "Ranks, first to last",
            custom_id="ranking",
            placeholder=truncate(judging.ranking_prompt(fmt), 100),
            default=(
                (
                    ballot.ranking[0]
                    if two
                    else ", ".join(judging.initials(t) for t in ballot.ranking)
                )
                if ballot
                else None
            ),
            max_length=200,
        )
        lo, hi = fmt.speaker_points
        self.points: discord.ui.TextInput[BallotModal] = discord.ui.TextInput(
            label=truncate(f"Speaker points ({lo}-{hi}), one line a speech", 45),
            custom_id="points",
            style=discord.TextStyle.paragraph,
            default=judging.points_template(fmt, ballot.points if ballot else None),
            max_length=2000,
        )
        self.add_item(self.ranking)
        self.add_item(self.points)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.handler.on_ballot(
            interaction, self.debate_id, str(self.ranking.value), str(self.points.value)
        )

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report(interaction, error, "ballot modal")


def ballot_summary(fmt: Format, ballot: judging.Ballot) -> str:
    totals = judging.team_points(fmt, ballot.points)
    teams = ", ".join(f"{t} {totals[t]}" for t in ballot.ranking)
    return f"{judging.ranking_text(fmt, ballot.ranking)} (points: {teams})"


def decision_embed(
    debate_id: int,
    motion: str,
    fmt: Format,
    decision: judging.Decision,
    ballots: Sequence[judging.Ballot],
    panel_size: int,
    audience: str | None,
) -> discord.Embed:
    """The released decision: the panel's, each judge's ballot, the speaker points."""
    missing = panel_size - len(ballots)
    embed = discord.Embed(
        title=f"Debate #{debate_id}: the judges' decision",
        description=truncate(
            f"**{motion}**\n\n{judging.ranking_text(fmt, decision.ranking)} — {decision.note}."
            + (f" ({missing} of {panel_size} judges gave no ballot.)" if missing > 0 else ""),
            4000,
        ),
        colour=discord.Colour.dark_gold(),
    )
    if audience:
        embed.add_field(name="The audience", value=audience, inline=False)
    for n, ballot in enumerate(ballots, 1):
        who = "a former member" if ballot.judge_id < 0 else f"<@{ballot.judge_id}>"
        embed.add_field(
            name=f"Ballot {n}",
            value=truncate(f"{who}: {ballot_summary(fmt, ballot)}", 1024),
            inline=False,
        )
    embed.add_field(
        name="Speaker points (the panel's mean)",
        value=truncate("\n".join(judging.points_lines(fmt, decision.points)), 1024),
        inline=False,
    )
    return embed


def decision_line(fmt: Format, decision: judging.Decision) -> str:
    """The panel's decision in one line, for the result beside the audience's swing."""
    return f"{judging.ranking_text(fmt, decision.ranking)} — {decision.note}"
