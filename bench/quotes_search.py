"""Autocomplete search in the quote store: FTS5 prefix query vs a LIKE scan.

Run: ``python -m bench.quotes_search [--extra N] [--repeat R]``. The store is the real
curated one (herbot_config/quotes/) plus N synthetic approved submissions, in a temporary SQLite
file. Each row is the median over R runs of one autocomplete request as a user types it.
The baseline is the obvious alternative: ``text LIKE '%word%'`` for every typed word, which
returns the first 25 rows it meets (unranked) and scans the whole table when few match.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import load_settings
from bot.db import database
from bot.fts import tokens
from cogs.quotes import curated, import_store, quote_store
from cogs.quotes.config import QuotesConfig

GUILD = 1
# Common words (a LIKE scan stops early at 25 hits), then rare and absent ones (it scans all).
TYPED = [
    "lonel",
    "samantha voi",
    "theodore let",
    "her film ab",
    "gpt-4o comp",
    "pheonix",
    "altman miss",
    "xylophone zeb",
]


async def _baseline(db, text: str) -> list[str]:
    words = tokens(text)
    where = " AND ".join("(q.text LIKE ? OR q.speaker LIKE ? OR q.tags LIKE ?)" for _ in words)
    params = [f"%{w}%" for w in words for _ in range(3)]
    async with db.execute(
        f"SELECT q.id FROM quotes q WHERE q.status = 'approved' AND "
        f"(q.guild_id IS NULL OR q.guild_id = ?) AND {where} LIMIT 25",
        [GUILD, *params],
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def _time(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


async def run(extra: int, repeat: int) -> None:
    settings = load_settings(dotenv=False, env={})
    config = QuotesConfig.from_settings(settings)
    loaded = curated.load(config.curated_dir, max_text=config.max_text_length)
    with tempfile.TemporaryDirectory() as tmp:
        async with database(Path(tmp) / "bench.db") as db:
            words = " ".join(q.text for q in loaded.quotes).split() or ["her", "film", "love"]
            rng = random.Random(7)
            async with db.transaction() as tx:
                await import_store.import_curated(tx, loaded)
                await tx.executemany(
                    "INSERT INTO quotes (id, text, speaker, source_id, kind, status, origin, "
                    "guild_id) VALUES (?, ?, 'member', 'discord', 'submission', 'approved', "
                    "'submitted', ?)",
                    [
                        (f"syn-{n}", " ".join(rng.choices(words, k=rng.randint(8, 60))), GUILD)
                        for n in range(extra)
                    ],
                )
            total = await quote_store.count_visible(db, GUILD)
            print(f"quote store: {total} visible quotes ({len(loaded.quotes)} curated)")
            print(f"{'typed':<16}{'FTS ms':>9}{'LIKE ms':>10}{'ratio':>8}{'hits':>6}")
            ratios, worst = [], [0.0, 0.0]
            for text in TYPED:
                fts = await _time(lambda t=text: quote_store.search(db, GUILD, t), repeat)
                like = await _time(lambda t=text: _baseline(db, t), repeat)
                hits = len(await quote_store.search(db, GUILD, text))
                ratios.append(like / fts)
                worst = [max(worst[0], fts), max(worst[1], like)]
                print(f"{text:<16}{fts:>9.3f}{like:>10.3f}{like / fts:>7.1f}x{hits:>6}")
            print(f"{'worst':<16}{worst[0]:>9.3f}{worst[1]:>10.3f}{worst[1] / worst[0]:>7.1f}x")
            print(f"median LIKE/FTS ratio: {statistics.median(ratios):.1f}x (FTS also ranks)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=5000, help="synthetic quotes to add")
    parser.add_argument("--repeat", type=int, default=25, help="runs per query (median)")
    parser.add_argument("--quick", action="store_true", help="1,000 extra quotes, 7 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.extra, args.repeat = min(args.extra, 1000), min(args.repeat, 7)
    asyncio.run(run(args.extra, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
