"""A poll's result chart as PNG bytes (no discord): one bar per option."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from bot.charts import COLOURS, chart_title, figure, integer_ticks, png_bytes
from bot.presentation import percentages


def poll_chart(title: str, labels: Sequence[str], counts: Sequence[int]) -> bytes:
    """Horizontal bars, one per option, with counts and percentages."""
    total = sum(counts)
    fig = figure(7, 0.6 * len(labels) + 1.4)
    ax = fig.add_subplot()
    names = [textwrap.shorten(label, 40, placeholder="…").replace("$", r"\$") for label in labels]
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, counts, color=[COLOURS[i % len(COLOURS)] for i in range(len(labels))])
    ax.set_yticks(positions, names)
    for y, n, pct in zip(positions, counts, percentages(counts), strict=True):
        ax.text(n, y, f" {n} ({pct}%)", va="center")
    ax.set_xlim(0, max([*counts, 1]) * 1.3)
    ax.xaxis.set_major_locator(integer_ticks())
    ax.set_xlabel(f"votes (total {total})")
    ax.set_title(chart_title(title), fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return png_bytes(fig)
