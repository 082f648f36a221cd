"""Embeds members see: polls, results, debate votes, the swing (the panel is panel_ui.py)."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.presentation import EMBED_DESCRIPTION_LIMIT, EMBED_TITLE_LIMIT, plural, truncate
from cogs.debate.debates import Debate
from cogs.debate.polls import Poll, Tally
from cogs.debate.swing import LABELS, SIDES, SwingResult, moves_table

BLURPLE = discord.Colour.blurple()


def bar(pct: int, width: int = 12) -> str:
    filled = round(pct * width / 100)
    return "█" * filled + "░" * (width - filled)


def ts(moment: datetime, style: str = "R") -> str:
    return discord.utils.format_dt(moment, style)  # type: ignore[arg-type]


def clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def turnout(votes: int) -> str:
    """How many have voted, shown while the counts per option are hidden."""
    return f"{plural(votes, 'vote')} so far"


def tally_lines(tally: Tally) -> list[str]:
    return [f"**{label}** — {n} ({pct}%)\n`{bar(pct)}`" for label, n, pct in tally.rows()]


def poll_embed(poll: Poll, tally: Tally, now: datetime) -> discord.Embed:
    lines = [f"## {poll.question}"]
    show = poll.live or not poll.is_open
    if show:
        lines += tally_lines(tally)
        lines.append(f"\n{plural(tally.total, 'vote')}")
    else:
        lines += [f"• {label}" for label in poll.options]
        lines.append(f"\n{turnout(tally.total)}: the tally is hidden until the poll closes.")
    embed = discord.Embed(
        title=f"Poll #{poll.id}" + ("" if poll.is_open else " — closed"),
        description=truncate("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
        colour=BLURPLE if poll.is_open else discord.Colour.dark_grey(),
    )
    embed.add_field(name="About", value="\n".join(poll_notes(poll)), inline=False)
    embed.set_footer(text="One vote per member: click again to change it, or retract it.")
    return embed


def poll_notes(poll: Poll) -> list[str]:
    """The "About" lines every kind of poll shows: when it closes, who may vote, anonymity."""
    notes = []
    if poll.is_open:
        notes.append(f"Closes {ts(poll.closes_at)}" if poll.closes_at else "A moderator closes it")
    elif poll.closed_at:
        notes.append(f"Closed {ts(poll.closed_at, 'f')}")
    if poll.role_id:
        notes.append(f"Only <@&{poll.role_id}> may vote")
    notes.append(
        "Anonymous: nobody sees who voted what"
        if poll.anonymous
        else "Public poll: moderators can export who voted what"
    )
    return notes


def debate_vote_embed(poll: Poll, tally: Tally, when: str) -> discord.Embed:
    moment = "before" if when == "pre" else "after"
    if poll.is_open:
        text = (
            f"**{poll.question}**\n\nVote {moment} the debate: For, Against or Undecided. "
            "The result shows which side moved the room.\n\n"
            f"Votes so far: {tally.total} (counts stay hidden until the result)"
        )
    else:
        text = f"**{poll.question}**\n\nVoting closed with {plural(tally.total, 'vote')}."
    return discord.Embed(
        title=f"{when.title()}-debate vote",
        description=text,
        colour=BLURPLE if poll.is_open else discord.Colour.dark_grey(),
    )


def winner_line(result: SwingResult) -> str:
    if result.winner is None:
        return "No result: nobody voted both before and after."
    if result.winner == "tie":
        return "A tie: both sides moved the room equally."
    return f"**{LABELS[result.winner]}** wins: its share grew the most."


def swing_embed(debate: Debate, result: SwingResult) -> discord.Embed:
    rows = []
    for side in SIDES:
        pre, post = result.share("pre", side), result.share("post", side)
        rows.append(f"**{LABELS[side]}** {pre:.0f}% → {post:.0f}% ({post - pre:+.0f} pts)")
    embed = discord.Embed(
        title=truncate(f"Debate #{debate.id} result", EMBED_TITLE_LIMIT),
        description=f"**{debate.motion}**\n\n{winner_line(result)}",
        colour=discord.Colour.gold(),
    )
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
        f"Both: {result.matched} (only these count)",
        inline=False,
    )
    embed.set_image(url=f"attachment://debate-{debate.id}.png")
    return embed
