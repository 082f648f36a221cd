"""The instant-runoff chart: each option's votes round by round (PNG bytes, no discord).

One line per option across the rounds; a line stops where its option was eliminated, the
winner's is drawn thick, and a grey dashed line counts the exhausted ballots. Drawn with the
same Agg setup as :mod:`bot.charts`, in a worker thread by the caller.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from bot.charts import COLOURS, chart_title, figure, integer_ticks, png_bytes
from cogs.polls.irv import Result


def rounds_chart(title: str, labels: Sequence[str], result: Result) -> bytes:
    fig = figure(7, 4)
    ax = fig.add_subplot()
    rounds = [r.number for r in result.rounds]
    for p, label in enumerate(labels):
        xs = [r.number for r in result.rounds if p in r.counts]
        ys = [r.counts[p] for r in result.rounds if p in r.counts]
        if not xs:
            continue
        name = textwrap.shorten(label, 30, placeholder="…").replace("$", r"\$")
        winner = result.winner == p
        ax.plot(
            xs,
            ys,
            marker="o",
            linewidth=3 if winner else 1.5,
            color=COLOURS[p % len(COLOURS)],
            label=name + (" (winner)" if winner else ""),
        )
        ax.annotate(f"{ys[-1]}", (xs[-1], ys[-1]), textcoords="offset points", xytext=(6, 0))
    exhausted = [r.exhausted for r in result.rounds]
    if any(exhausted):
        ax.plot(rounds, exhausted, linestyle="--", color="#747F8D", label="exhausted")
    ax.set_xticks(rounds, [f"round {n}" for n in rounds])
    ax.set_xlim(0.7, max(rounds) + 0.5)
    ax.set_ylim(0, max([result.ballots, 1]) * 1.1)
    ax.yaxis.set_major_locator(integer_ticks())
    ax.set_ylabel(f"votes (ballots: {result.ballots})")
    ax.set_title(chart_title(title), fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return png_bytes(fig)
