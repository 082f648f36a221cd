"""/quote card: drawing a quote card with Pillow, against the same card drawn with matplotlib.

Run: ``python -m bench.quote_card [--repeat R]``. Each cell is the median of R renders of
one card to PNG bytes (fonts loaded once before timing, as in a running bot). The baseline
is the other way we had at hand: matplotlib (already a dependency, for the debate charts)
drawing the same words, wrapped to the same width, to a 1200 px wide PNG. "busy" runs the
same while a CPU-bound neighbour process (started and stopped here) spins on one core.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cogs.quotes.card_render import CardContent, render_card

CASES = {
    "short (60 chars)": "Sometimes I think I have felt everything I'm ever gonna feel.",
    "medium (400 chars)": " ".join(["The film is about people learning to listen."] * 9),
    "long (4,000 chars, cut)": " ".join(["Words a member wrote at length about the film."] * 87),
}
CITATION = "Theodore — Her (dir. Spike Jonze, 2013), Theodore and Samantha at night"
NEIGHBOUR = "import time\nend = time.time() + 600\nwhile time.time() < end: pass\n"


def matplotlib_card(content: CardContent) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    lines = textwrap.wrap(content.text, 48)[:20]
    fig = plt.figure(figsize=(12, 6.3 + 0.5 * max(0, len(lines) - 6)), dpi=100)
    fig.text(0.07, 0.88, "\n".join(lines), va="top", family="DejaVu Serif", size=26)
    fig.text(0.07, 0.08, f"— {content.citation}", family="DejaVu Sans", size=18, color="0.4")
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def pillow_card(content: CardContent) -> bytes:
    return render_card(content, "light")


def median_ms(draw: Callable[[CardContent], bytes], content: CardContent, repeat: int) -> float:
    draw(content)  # fonts and caches warm, as in a running bot
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        draw(content)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(repeat: int) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {name: {} for name in CASES}
    for machine in ("quiet", "busy"):
        neighbour = (
            subprocess.Popen([sys.executable, "-c", NEIGHBOUR]) if machine == "busy" else None
        )
        try:
            if neighbour is not None:
                time.sleep(0.5)
            for name, text in CASES.items():
                content = CardContent(text, CITATION, "film-001", "film")
                table[name][f"pillow {machine}"] = median_ms(pillow_card, content, repeat)
                table[name][f"matplotlib {machine}"] = median_ms(matplotlib_card, content, repeat)
        finally:
            if neighbour is not None:
                neighbour.kill()
                neighbour.wait()
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 renders per cell")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else args.repeat
    table = measure(repeat)
    columns = ["pillow quiet", "pillow busy", "matplotlib quiet", "matplotlib busy"]
    print(f"median ms per card, {repeat} renders each (matplotlib: the baseline)\n")
    print("| card | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name, cells in table.items():
        print(f"| {name} | " + " | ".join(f"{cells[c]:.1f}" for c in columns) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
