"""The debate's swing chart as PNG bytes (no discord): each side before and after."""

from __future__ import annotations

from collections.abc import Sequence

from bot.charts import chart_title, figure, png_bytes


def swing_chart(
    title: str,
    pre: Sequence[float],
    post: Sequence[float],
    labels: Sequence[str] = ("For", "Against", "Undecided"),
) -> bytes:
    """Grouped bars of each side's share before and after the debate (percent)."""
    fig = figure(7, 3.6)
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
    ax.set_title(chart_title(title), fontsize=10)
    ax.legend(frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return png_bytes(fig)
