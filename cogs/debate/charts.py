"""Result charts as PNG bytes (matplotlib, Agg backend: no display, no discord)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # after choosing the backend
from matplotlib.ticker import MaxNLocator

from bot.presentation import percentages

COLOURS = (
    "#5865F2",
    "#ED4245",
    "#99AAB5",
    "#57F287",
    "#FEE75C",
    "#EB459E",
    "#3BA55D",
    "#FAA61A",
    "#747F8D",
    "#00B0F4",
)


def _title(text: str) -> str:
    """Wrap, and keep "$" literal: matplotlib would read "$...$" as maths."""
    return textwrap.fill(text, 70).replace("$", r"\$")


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def poll_chart(title: str, labels: Sequence[str], counts: Sequence[int]) -> bytes:
    """Horizontal bars, one per option, with counts and percentages."""
    total = sum(counts)
    fig = Figure(figsize=(7, 0.6 * len(labels) + 1.4))
    ax = fig.add_subplot()
    names = [textwrap.shorten(label, 40, placeholder="…").replace("$", r"\$") for label in labels]
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, counts, color=[COLOURS[i % len(COLOURS)] for i in range(len(labels))])
    ax.set_yticks(positions, names)
    for y, n, pct in zip(positions, counts, percentages(counts), strict=True):
        ax.text(n, y, f" {n} ({pct}%)", va="center")
    ax.set_xlim(0, max([*counts, 1]) * 1.3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"votes (total {total})")
    ax.set_title(_title(title), fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def swing_chart(
    title: str,
    pre: Sequence[float],
    post: Sequence[float],
    labels: Sequence[str] = ("For", "Against", "Undecided"),
) -> bytes:
    """Grouped bars of each side's share before and after the debate (percent)."""
    fig = Figure(figsize=(7, 3.6))
    ax = fig.add_subplot()
    xs = range(len(labels))
    width = 0.38
    before = ax.bar([x - width / 2 for x in xs], pre, width, label="Before", color="#99AAB5")
    after = ax.bar([x + width / 2 for x in xs], post, width, label="After", color="#5865F2")
    for bars in (before, after):
        for bar in bars:
            ax.text(
                bar.get_x() + bar.get_width() / 2,
                bar.get_height(),
                f"{bar.get_height():.0f}%",
                ha="center",
                va="bottom",
                fontsize=9,
            )
    ax.set_xticks(list(xs), list(labels))
    ax.set_ylim(0, 110)
    ax.set_ylabel("share of members who voted twice (%)")
    ax.set_title(_title(title), fontsize=10)
    ax.legend(frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)
