"""Embeds members see of a poll: its live message, the tally lines, the "About" notes."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.presentation import EMBED_DESCRIPTION_LIMIT, plural, truncate
from bot.timeparse import discord_timestamp as ts
from cogs.polls import eligibility
from cogs.polls.polls import Poll, Tally

BLURPLE = discord.Colour.blurple()


def bar(pct: int, width: int = 12) -> str:
    filled = round(pct * width / 100)
    return "█" * filled + "░" * (width - filled)


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
    if poll.eligibility.quorum is not None:
        count = eligibility.turnout(tally.total, poll.eligibility)
        lines.append(count.live() if poll.is_open else (count.verdict() or ""))
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
    notes += poll.eligibility.notes()
    notes.append(
        "Anonymous: nobody sees who voted what"
        if poll.anonymous
        else "Public poll: moderators can export who voted what"
    )
    return notes
