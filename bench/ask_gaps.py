"""What /ask's loop adds to an answer: the gap write and the taught-phrasing check.

Measured in one run on one database (the curated store, 2,000 open gaps and 200 learned
phrasings in the server), quiet and beside a busy neighbour process (bench/ask.py's):

- baseline: the transaction /ask ran before the loop (store the question, prune old ones);
- with the gap: the same transaction with the gap's one INSERT (vector included) and the
  gaps' retention prune, as ``cogs/quotes/ask/cog.py`` runs it for a declined question;
- taught check: the server's learned phrasings (kept in memory by ``Phrasebooks``) matched
  against the question's vector (``gaps.match``), which every /ask in a server now does
  before its answer is shown; timed on its own, after the writes' background work.

Target (issue 22): recording a gap adds at most 1 ms p50. Usage: ``python -m bench.ask_gaps``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.ask import Neighbour, bench_settings, percentiles
from bot.prepare import prepare_database
from cogs.quotes.ask import gaps, gaps_store, sessions
from cogs.quotes.ask.gaps import Gap

GUILD = 1234
RUNS = 300
DIM = 384


def _vector(rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal(DIM).astype("<f4")
    return v / np.linalg.norm(v)


async def measure() -> dict[str, tuple[float, float]]:
    rng = np.random.default_rng(7)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        db = await prepare_database(bench_settings(Path(tmp) / "gaps.db"))
        try:
            async with db.transaction() as tx:
                for i in range(2000):
                    await gaps_store.record(
                        tx, GUILD, i % 50, f"filler gap {i}?", _vector(rng), "declined", now
                    )
                fake = [Gap(i, f"taught {i}?", _vector(rng), i, "declined", "") for i in range(200)]
                await gaps_store.learn(tx, GUILD, "taught", fake[:150], 1, now, "film-cast-amy")
                await gaps_store.learn(tx, GUILD, "out_of_scope", fake[150:], 1, now)
            vector = _vector(rng)

            async def baseline() -> None:
                async with db.transaction() as tx:
                    await sessions.create(tx, "Where can I buy the DVD?", GUILD, 42, now)
                    await sessions.prune(tx, now)

            async def with_gap() -> None:
                async with db.transaction() as tx:
                    await sessions.create(tx, "Where can I buy the DVD?", GUILD, 42, now)
                    await gaps_store.record(
                        tx, GUILD, 42, "Where can I buy the DVD?", vector, "declined", now
                    )
                    await sessions.prune(tx, now)
                    await gaps_store.prune(tx, now)

            books = gaps_store.Phrasebooks()  # as the Ask cog keeps them

            async def taught_check() -> None:
                book = await books.get(db, GUILD)
                gaps.match("Where can I buy the DVD?", vector, book)

            async def taught_uncached() -> None:  # the baseline: read every time (the CLI)
                gaps.match("Where can I buy the DVD?", vector, await gaps_store.learned(db, GUILD))

            found: dict[str, tuple[float, float]] = {}
            for machine in ("quiet", "busy"):
                neighbour = Neighbour(seconds=120) if machine == "busy" else None
                if neighbour is not None:
                    neighbour.__enter__()
                try:
                    times: dict[str, list[float]] = {
                        "baseline": [],
                        "gap": [],
                        "taught": [],
                        "uncached": [],
                    }
                    steps = [("baseline", baseline), ("gap", with_gap)]
                    for _ in range(RUNS):  # interleaved, in a new order each round
                        rng.shuffle(steps)
                        for name, fn in steps:
                            start = time.perf_counter()
                            await fn()
                            times[name].append(time.perf_counter() - start)
                    await asyncio.sleep(0.5)  # the writes' background work done
                    reads = [("taught", taught_check), ("uncached", taught_uncached)]
                    for _ in range(RUNS):  # on their own: a writer's thread would be timed too
                        for name, fn in reads:
                            start = time.perf_counter()
                            await fn()
                            times[name].append(time.perf_counter() - start)
                finally:
                    if neighbour is not None:
                        neighbour.__exit__()
                for name, samples in times.items():
                    found[f"{name} {machine}"] = percentiles(samples)
            return found
        finally:
            await db.close()


def report(found: dict[str, tuple[float, float]]) -> str:
    rows = [
        ("store the question (baseline)", "baseline"),
        ("store the question + record the gap", "gap"),
        ("taught / out-of-scope check, 200 phrasings in memory", "taught"),
        ("the same read from the database each time (baseline)", "uncached"),
    ]
    lines = [
        "| p50 (p95) ms | quiet | busy |",
        "|---|---|---|",
    ]
    for label, key in rows:
        cells = [
            f"{found[f'{key} {m}'][0]:.2f} ({found[f'{key} {m}'][1]:.2f})"
            for m in ("quiet", "busy")
        ]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    added = [found[f"gap {m}"][0] - found[f"baseline {m}"][0] for m in ("quiet", "busy")]
    lines.append(f"| gap recording adds (p50) | {added[0]:.2f} | {added[1]:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    print(report(asyncio.run(measure())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
