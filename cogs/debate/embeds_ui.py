"""Embeds members see of a debate: its votes, the swing (the panel is panel_ui.py)."""

from __future__ import annotations

import discord

from bot.presentation import EMBED_TITLE_LIMIT, plural, truncate
from cogs.debate.debates import PRE_VOTE, Debate
from cogs.debate.swing import LABELS, SIDES, SwingResult, moves_table
from cogs.polls.service import Poll, Tally, Turnout

BLURPLE = discord.Colour.blurple()


def clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def debate_vote_embed(poll: Poll, tally: Tally) -> discord.Embed:
    """The pre- or post-debate vote's message: turnout only, the counts wait for the result."""
    when = "pre" if poll.kind == PRE_VOTE else "post"
    moment = "before" if when == "pre" else "after"
    if poll.is_open:
        text = (
            f"**{poll.question}**\n\nVote {moment} the debate: For, Against or Undecided. "
            "The result shows which side moved the room.\n\n"
            f"Votes so far: {tally.total} (counts stay hidden until the result)"
        )
        rules = poll.eligibility
        notes = [note for note in rules.notes() if not note.startswith("Quorum")]
        if notes:
            text += "\n" + "\n".join(f"-# {note}" for note in notes)
        if rules.quorum is not None:
            text += (
                f"\n{Turnout(tally.total, rules.quorum).live()}: only members who vote "
                "before and after count towards it."
            )
    else:
        text = f"**{poll.question}**\n\nVoting closed with {plural(tally.total, 'vote')}."
    return discord.Embed(
        title=f"{when.title()}-debate vote",
        description=text,
        colour=BLURPLE if poll.is_open else discord.Colour.dark_grey(),
    )


def winner_line(result: SwingResult) -> str:
    if not result.quorum_reached:
        return (
            f"**Quorum not reached**: {plural(result.matched, 'member')} voted both before "
            f"and after, of the {result.quorum} needed, so the room's swing decides nothing."
        )
    if result.winner is None:
        return "No result: nobody voted both before and after."
    if result.winner == "tie":
        return "A tie: both sides moved the room equally."
    return f"**{LABELS[result.winner]}** wins: its share grew the most."


def _quorum_note(result: SwingResult) -> str:
    if result.quorum is None:
        return ""
    return f" · Quorum: {result.quorum} ({'' if result.quorum_reached else 'not '}reached)"


def swing_embed(debate: Debate, result: SwingResult, judges: str | None = None) -> discord.Embed:
    """The result: the audience's swing and, for a judged debate, the panel's decision."""
    rows = []
    for side in SIDES:
        pre, post = result.share("pre", side), result.share("post", side)
        rows.append(f"**{LABELS[side]}** {pre:.0f}% → {post:.0f}% ({post - pre:+.0f} pts)")
    embed = discord.Embed(
        title=truncate(f"Debate #{debate.id} result", EMBED_TITLE_LIMIT),
        description=f"**{debate.motion}**\n\n{winner_line(result)}",
        colour=discord.Colour.gold(),
    )
    if judges:
        embed.add_field(name="The judges' decision", value=judges, inline=False)
    embed.add_field(
        name=f"Before → after ({plural(result.matched, 'member')} voted both times)",
        value="\n".join(rows),
        inline=False,
    )
    embed.add_field(
        name="Who moved (rows: before, columns: after)",
        value=f"```\n{moves_table(result)}\n```",
        inline=False,
    )
    embed.add_field(
        name="Turnout",
        value=f"Before: {result.pre_voters} · After: {result.post_voters} · "
        f"Both: {result.matched} (only these count)" + _quorum_note(result),
        inline=False,
    )
    embed.set_image(url=f"attachment://debate-{debate.id}.png")
    return embed
