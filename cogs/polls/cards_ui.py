"""Poll results as a Components V2 card: the motion, each option's share, the chart.

Kept apart from :mod:`cogs.polls.embeds_ui` (live poll messages and the debate panel stay
embeds, which their buttons and edits are built around). A result is read once and kept:
a card puts the chart in a media gallery below the counts instead of an embed's image.
"""

from __future__ import annotations

import discord

from bot import cards
from bot.presentation import plural, truncate
from cogs.polls import eligibility
from cogs.polls.embeds_ui import tally_lines
from cogs.polls.polls import Poll, Tally

RESULT_COLOUR = discord.Colour.green()
QUORUM_COLOUR = discord.Colour.dark_grey()  # a result that decides nothing
QUESTION_LIMIT = 600


def chart_name(poll: Poll) -> str:
    return f"poll-{poll.id}.png"


def result_card(poll: Poll, tally: Tally) -> discord.ui.LayoutView:
    """Heading, motion, a separator, the counts, the chart (sent as ``chart_name(poll)``)."""

    count = eligibility.turnout(tally.total, poll.eligibility)
    quorate, said = count.reached, count.verdict()
    verdict = [cards.text(said)] if said else []

    def build(scale: float) -> discord.ui.LayoutView:
        votes = plural(tally.total, "vote")
        return cards.card(
            cards.text(f"### Result of poll #{poll.id}"),
            cards.text(f"**{truncate(poll.question, int(QUESTION_LIMIT * scale))}**"),
            cards.separator(),
            cards.text("\n".join(tally_lines(tally))),
            cards.gallery(f"attachment://{chart_name(poll)}"),
            *verdict,
            cards.text(f"-# {votes}"),
            colour=RESULT_COLOUR if not verdict or quorate else QUORUM_COLOUR,
        )

    return cards.fitted(build)
