"""Charts as PNG bytes, the parts every feature's charts share: matplotlib on the Agg backend
(no display, no discord), the palette, titles that keep "$" literal, the PNG encoding.

matplotlib is imported at the first chart, not at start: it holds about 35 MB of every
process, and most never draw a chart (``bench/memory.py``).
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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


def figure(width: float, height: float) -> Figure:
    """A new figure of ``width`` x ``height`` inches, on the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def integer_ticks() -> Any:
    """A tick locator for counts: whole numbers only."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def chart_title(text: str) -> str:
    """Wrap, and keep "$" literal: matplotlib would read "$...$" as maths."""
    return textwrap.fill(text, 70).replace("$", r"\$")


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()
