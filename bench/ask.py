"""/ask retrieval latency at 1k, 10k and 100k passages, beside a rank_bm25 baseline.

Each size is a real database: the curated store plus generated filler sentences in the
same vocabulary (cast, scenes, Altman, GPT-4o...). Queries are the curators' question set.
Measured in one run, on the same machine:

- lexical: FTS5 BM25 search + word coverage (what /ask runs for its keyword leg);
- dense: MiniLM query encoding in a thread + brute-force dot product over the matrix;
- hybrid: the full retrieval (both legs, RRF fusion, decline rule);
- /ask answer: hybrid + fetching passages and FTS5 highlights (what the command waits for);
- rank_bm25: ``BM25Okapi.get_scores`` over the same passages, top 50 (the baseline);
- autocomplete: prefix MATCH ... LIMIT 25 on quotes_fts as a member types;
- start to ready: a real bot on a 10k-quote database in simcord, from opening the database
  to simcord's READY (vectors cached, as on every start after the first), and on a fresh
  database (the curated store's vectors come from the shipped file);
- quiet / busy: query encode and hybrid p50 with onnxruntime and 8-bit weights (what
  herbot does), with the numpy encoder and its BLAS pinned to one thread (what herbot did)
  and with numpy's default threads (the baseline), on a quiet machine and beside a
  neighbour process doing bursty multi-threaded numpy matrix products (started by this
  bench, bounded in time, killed at the end), all in the same run, in interleaved rounds;
- cold start: ``herbot ask`` in a new process on a new database, to the printed answer,
  quiet and busy, beside the same with the onnxruntime encoder built for the one question
  (the baseline: what ``herbot ask`` did before it used the numpy encoder for one-shot
  questions).

Filler vectors are not encoded one by one (100k x 4 ms is half an hour on two cores): a
pool of filler sentences is encoded with MiniLM, and each filler passage gets a normalised
mix of pool vectors, cached in ask_vectors like real ones. Search cost does not depend on
the vectors' values, only on their number. Usage: ``python -m bench.ask [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python bench/ask.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bot.config import Settings, load_settings
from bot.fts import match_query, tokens
from bot.prepare import prepare_database
from cogs.quotes.ask import dense as dense_module
from cogs.quotes.ask import lexical
from cogs.quotes.ask.answer import ask
from cogs.quotes.ask.dense import content_hash, document
from cogs.quotes.ask.embedder import fast_model, pin_blas_threads, shared_model
from cogs.quotes.ask.hybrid import Retriever

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions.toml"

SUBJECTS = [
    "Theodore", "Samantha", "Amy", "Catherine", "the operating system", "the letter writer",
    "Sam Altman", "OpenAI", "GPT-4o", "the film", "Spike Jonze", "the voice assistant",
    "Scarlett Johansson", "Joaquin Phoenix", "the chatbot", "the critic", "the audience",
]  # fmt: skip
VERBS = [
    "remembers", "misreads", "admires", "questions", "imagines", "describes", "fears",
    "celebrates", "echoes", "compares", "longs for", "writes about", "talks to", "ignores",
]  # fmt: skip
OBJECTS = [
    "a lonely city", "the warm colours of Los Angeles", "a voice without a body", "love",
    "the ukulele song", "a letter to a stranger", "the beach picnic", "the rooftop at dawn",
    "a product launch", "the word her", "emotional intelligence", "privacy", "the future",
    "the divorce papers", "a video game", "the piano piece", "a blind date", "Shanghai",
]  # fmt: skip
TAILS = [
    "long after the credits", "in a single tweet", "at the premiere", "in a crowded train",
    "without saying a word", "as the city sleeps", "on a podcast", "in a forum thread",
    "while the music swells", "for the first time", "with a nervous laugh", "again and again",
]  # fmt: skip


def filler(count: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        parts = [
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"
            for _ in range(int(rng.integers(1, 4)))
        ]
        out.append("; ".join(parts).capitalize() + ".")
    return out


def questions() -> list[str]:
    import tomllib

    return [q["q"] for q in tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return statistics.median(ms), p95


async def samples(
    fn: Callable[[str], Awaitable[Any]], queries: list[str], cpu: list[float] | None = None
) -> list[float]:
    """Wall-clock seconds per query; ``cpu`` gets the process's CPU seconds (all threads),
    which other engineers' load on the machine barely changes."""
    await fn(queries[0])  # warm caches and the thread pool
    out = []
    for q in queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        await fn(q)
        out.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return out


async def timed(fn: Callable[[str], Awaitable[Any]], queries: list[str]) -> tuple[float, float]:
    return percentiles(await samples(fn, queries))


def bench_settings(db_path: Path) -> Settings:
    base = load_settings(env={"HERBOT_DB": str(db_path)}, dotenv=False)
    return replace(base, token=None)


async def build(db_path: Path, size: int, pool: np.ndarray, pool_seed: int = 11) -> int:
    """A database with the curated store and filler up to ``size`` approved passages."""
    db = await prepare_database(bench_settings(db_path))  # migrations + curated seed
    try:
        curated = await db.fetchval("SELECT count(*) FROM quotes")
        texts = filler(max(0, size - curated))
        rng = np.random.default_rng(pool_seed)
        a = rng.integers(0, len(pool), len(texts))
        b = rng.integers(0, len(pool), len(texts))
        noise = 0.05 * rng.standard_normal((len(texts), pool.shape[1]))
        vectors = pool[a] + 0.5 * pool[b] + noise
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype("<f4")
        model_id = shared_model().model_id
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO quotes (id, text, speaker, source_id, kind, origin) "
                "VALUES (?, ?, 'filler', 'discord', 'submission', 'imported')",
                [(f"fill-{i}", t) for i, t in enumerate(texts)],
            )
            await tx.executemany(
                "INSERT INTO ask_vectors (content_hash, model, vector) VALUES (?, ?, ?) "
                "ON CONFLICT (content_hash, model) DO NOTHING",
                [
                    (content_hash(document(t)), model_id, v.tobytes())
                    for t, v in zip(texts, vectors, strict=True)
                ],
            )
        # Encode the curated store once into this database, as a first start would.
        await Retriever(db).start()
    finally:
        await db.close()
    return curated + len(texts)


async def measure(db_path: Path, queries: list[str], baseline_queries: int) -> dict[str, Any]:
    from rank_bm25 import BM25Okapi

    dense_module._PROCESS_VECTORS.clear()  # load the vectors from the database, like a restart
    db = await prepare_database(bench_settings(db_path))
    try:
        retriever = Retriever(db)
        start = time.perf_counter()
        await retriever.start()  # loads model + cached vectors (warm model: process cache)
        load_s = time.perf_counter() - start
        index = retriever.index
        assert index is not None

        async def lex(q: str) -> None:
            hits = await lexical.search(db, q, None, limit=50)
            await lexical.coverage(db, q, [h.rowid for h in hits[:10]])

        async def dense(q: str) -> None:
            loop = asyncio.get_running_loop()
            vector = (await loop.run_in_executor(None, index.encoder.encode, [q]))[0]
            await loop.run_in_executor(None, index.search, vector, None, 50)

        async def hybrid(q: str) -> None:
            await retriever.retrieve(q, None)

        async def answer(q: str) -> None:
            await ask(retriever, q, None)

        def forget_questions() -> None:
            retriever._recent.clear()  # every question new again: its vector is encoded

        async with db.execute("SELECT text FROM quotes WHERE status = 'approved'") as cur:
            corpus = [tokens(r[0], keep_stopwords=True) for r in await cur.fetchall()]
        bm25 = BM25Okapi(corpus)

        async def baseline(q: str) -> None:
            scores = bm25.get_scores(tokens(q))
            np.argsort(-scores)[:50]

        async def autocomplete(typed: str) -> None:
            match = match_query(typed, prefix_last=True)
            if match:
                async with db.execute(
                    "SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ? LIMIT 25", (match,)
                ) as cur:
                    await cur.fetchall()

        typed = [q[: max(3, len(q) * 2 // 3)].rstrip() for q in queries]
        results = {"load_s": load_s}
        results["lexical"] = await timed(lex, queries)
        results["dense"] = await timed(dense, queries)
        results["hybrid"] = await timed(hybrid, queries)
        results["hybrid_again"] = await timed(hybrid, queries)  # every vector now recent
        forget_questions()
        results["answer"] = await timed(answer, queries)
        results["rank_bm25"] = await timed(baseline, queries[:baseline_queries])
        results["autocomplete"] = await timed(autocomplete, typed)
        return results
    finally:
        await db.close()


# The neighbour: bursts of multi-threaded float32 matrix products (numpy's default threads,
# as another bot or a test run would use), 40 ms on and 10 ms off, for at most ``seconds``.
NEIGHBOUR = """
import sys, time
import numpy as np
a = np.random.default_rng(1).random((1024, 1024), dtype=np.float32)
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    burst = time.monotonic()
    while time.monotonic() - burst < 0.04:
        a @ a
    time.sleep(0.01)
"""


ROUNDS = 3  # quiet/busy rounds per encoder, interleaved


class Neighbour:
    """A busy neighbour process for the "busy" column; always killed on exit."""

    def __init__(self, seconds: float = 600) -> None:
        self.seconds = seconds
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Neighbour:
        self.proc = subprocess.Popen([sys.executable, "-c", NEIGHBOUR, str(self.seconds)])
        time.sleep(1.0)  # numpy imported, threads spinning
        return self

    def __exit__(self, *_: object) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()


# The encoders compared in the quiet/busy table: what herbot uses, then the two baselines
# (the numpy encoder with its BLAS pinned to one thread, as main had, and numpy's default).
ENCODERS = (
    ("onnx", "onnxruntime int8 (herbot)", 1),
    ("pinned", "numpy, 1 BLAS thread (before)", 1),
    ("unpinned", "numpy default threads (baseline)", None),
)


async def contention(db_path: Path, queries: list[str]) -> dict[str, tuple[float, float]]:
    """Encode and hybrid p50/p95 per encoder, quiet and busy, on one database."""
    dense_module._PROCESS_VECTORS.clear()
    db = await prepare_database(bench_settings(db_path))
    collected: dict[str, list[float]] = {}
    try:
        retriever = Retriever(db)
        await retriever.start()
        index = retriever.index
        assert index is not None
        encoders = {"onnx": fast_model(), "pinned": shared_model(), "unpinned": shared_model()}
        if encoders["onnx"] is encoders["pinned"]:
            print("onnxruntime is not installed: its row repeats numpy's", file=sys.stderr)

        async def encode(q: str) -> None:
            await asyncio.get_running_loop().run_in_executor(None, index.encoder.encode, [q])

        async def hybrid(q: str) -> None:
            retriever._recent.clear()  # every question new: its vector is encoded
            await retriever.retrieve(q, None)

        for machine in ("quiet", "busy"):
            neighbour = Neighbour() if machine == "busy" else None
            if neighbour is not None:
                neighbour.__enter__()
            try:
                # Interleaved rounds: a burst of load from other processes hits every row.
                for _ in range(ROUNDS):
                    for key, _label, threads in ENCODERS:
                        pin_blas_threads(threads)
                        index.encoder = encoders[key]
                        for what, fn in (("encode", encode), ("hybrid", hybrid)):
                            name = f"{what} {key} {machine}"
                            collected.setdefault(name, []).extend(
                                await samples(fn, queries, collected.setdefault(f"cpu {name}", []))
                            )
            finally:
                if neighbour is not None:
                    neighbour.__exit__()
                pin_blas_threads()  # back to what herbot does
                index.encoder = encoders["onnx"]
    finally:
        await db.close()
    return {name: percentiles(values) for name, values in collected.items()}


def cold_ask(tmp: Path, name: str, encoder: str = "") -> float:
    """Seconds for ``herbot ask`` in a new process on a new database to print its answer
    (``encoder="onnx"``: building the onnxruntime encoder first, as before one-shot questions
    used the numpy one). Bytecode is written as on a user's machine (the warm-up run does it)."""
    env = {**os.environ, "HERBOT_DB": str(tmp / f"{name}.db"), "HERBOT_ASK_ENCODER": encoder}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Who voices Samantha?", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0 or '"declined": false' not in done.stdout:
        raise RuntimeError(f"herbot ask failed: {done.stderr[-500:]}")
    return seconds


async def start_to_ready(db_path: Path) -> tuple[float, str]:
    """Seconds from opening the database to simcord's READY for a real bot."""
    import simcord

    from bot.app import create_bot

    settings = bench_settings(db_path)
    dense_module._PROCESS_VECTORS.clear()
    start = time.perf_counter()
    db = await prepare_database(settings)
    try:
        bot = create_bot(settings, db)
        async with simcord.run(bot, check_errors=False):
            ready = time.perf_counter() - start
            ask_cog = bot.get_cog("Ask")
            state = ask_cog.retriever.state if ask_cog else "absent"
            indexed = len(ask_cog.retriever.index or ()) if ask_cog else 0
    finally:
        await db.close()
    return ready, f"/ask {state}, {indexed:,} passages indexed at READY"


async def run(args: argparse.Namespace) -> int:
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    all_queries = questions()
    queries = all_queries[: 30 if args.quick else 80]
    model = shared_model()
    pool_texts = filler(64 if args.quick else 256, seed=3)
    pool = model.encode(pool_texts)
    results: dict[int, dict[str, Any]] = {}
    busy: dict[int, dict[str, tuple[float, float]]] = {}
    ready_s = fresh_ready = None
    cold: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="herbot-bench-") as tmp:
        cold_ask(Path(tmp), "cold-warmup")  # the first process after an install reads files
        for encoder in ("", "onnx"):
            cold[f"quiet{encoder}"] = cold_ask(Path(tmp), f"cold-quiet{encoder}", encoder)
            with Neighbour():
                cold[f"busy{encoder}"] = cold_ask(Path(tmp), f"cold-busy{encoder}", encoder)
        fresh_ready = await start_to_ready(Path(tmp) / "fresh.db")
        for size in sizes:
            path = Path(tmp) / f"ask-{size}.db"
            start = time.perf_counter()
            n = await build(path, size, pool)
            build_s = time.perf_counter() - start
            print(f"built {n} passages in {build_s:.1f} s; measuring…", file=sys.stderr)
            results[n] = await measure(path, queries, 20 if size >= 100_000 else len(queries))
            if size <= 10_000:
                busy[n] = await contention(path, queries[: 20 if args.quick else 40])
            if size == 10_000:
                ready_s = await start_to_ready(path)
    print(report(results, ready_s, len(queries)))
    print()
    print(contention_report(busy, cold, fresh_ready))
    return 0


def contention_report(
    busy: dict[int, dict[str, tuple[float, float]]],
    cold: dict[str, float],
    fresh_ready: tuple[float, str] | None,
) -> str:
    sizes = sorted(busy)
    head = "| p50 ms | " + " | ".join(f"{n:,} quiet | {n:,} busy" for n in sizes) + " |"
    lines = [head, "|---|" + "---|---|" * len(sizes)]
    for prefix, unit in (("", "p50 ms"), ("cpu ", "CPU ms (process, all threads), p50")):
        if prefix:
            lines.append(f"| {unit} | " + " | ".join("" for _ in sizes for _m in "qb") + " |")
        for what in ("encode", "hybrid"):
            for key, label, _threads in ENCODERS:
                name = f"{'query encode' if what == 'encode' else 'hybrid retrieval'}, {label}"
                cells = [
                    f"{busy[n][f'{prefix}{what} {key} {m}'][0]:.1f}"
                    for n in sizes
                    for m in ("quiet", "busy")
                ]
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
    out = "\n".join(lines)
    out += (
        "\n\nbusy: a neighbour process doing 1024x1024 float32 matrix products with numpy's "
        "default threads, 40 ms on / 10 ms off."
    )
    out += (
        f"\nCold start, `herbot ask` in a new process on a new database to the printed answer:"
        f" {cold['quiet']:.2f} s quiet, {cold['busy']:.2f} s busy (baseline, building the"
        f" onnxruntime encoder for the one question: {cold['quietonnx']:.2f} s quiet,"
        f" {cold['busyonnx']:.2f} s busy)"
    )
    if fresh_ready is not None:
        out += f"\nBot start to READY on a new database: {fresh_ready[0]:.2f} s ({fresh_ready[1]})"
    return out


def report(results: dict[int, dict[str, Any]], ready_s: tuple[float, str] | None, nq: int) -> str:
    legs = [
        ("lexical", "FTS5 BM25 + coverage"),
        ("dense", "MiniLM encode + dot product"),
        ("hybrid", "hybrid retrieval (RRF + decline)"),
        ("hybrid_again", "hybrid, question asked again (vector cached)"),
        ("answer", "/ask answer (hybrid + passages + highlights)"),
        ("rank_bm25", "baseline: rank_bm25 BM25Okapi"),
        ("autocomplete", "autocomplete: prefix MATCH LIMIT 25"),
    ]
    sizes = sorted(results)
    head = "| p50 / p95 ms | " + " | ".join(f"{n:,} passages" for n in sizes) + " |"
    lines = [head, "|---|" + "---|" * len(sizes)]
    for key, label in legs:
        cells = [f"{results[n][key][0]:.1f} / {results[n][key][1]:.1f}" for n in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    ratios = [results[n]["rank_bm25"][0] / results[n]["lexical"][0] for n in sizes]
    lines.append("| rank_bm25 p50 ÷ FTS5 p50 | " + " | ".join(f"{r:.1f}×" for r in ratios) + " |")
    loads = [f"{results[n]['load_s']:.2f} s" for n in sizes]
    lines.append("| index load (cached vectors) | " + " | ".join(loads) + " |")
    out = "\n".join(lines)
    out += f"\n\n{nq} questions from tests/data/questions.toml per cell (baseline: 20 at 100k)."
    if ready_s is not None:
        seconds, detail = ready_s
        out += f"\nBot start to READY with 10k quotes (simcord, vectors cached): {seconds:.2f} s"
        out += f" ({detail})"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ask", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, fewer queries")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
