"""Benchmark: memory per ``herbot run`` process, one, two and four shard processes on one host.

Run: ``python -m bench.memory`` (or ``python bench/memory.py``; ``--quick``: one and two
processes only).

Each process is ``herbot run`` (its own CLI) against its own loopback fake Discord
(``bench/_fake_discord.py``), as shards ``0..n-1`` of one bot on one SQLite file. Memory is
proportional set size (PSS, ``/proc/PID/smaps_rollup``): a page shared by k processes
counts 1/k in each, so the total PSS of n processes is what the host really spends on them,
and "added per process" is what one more shard process costs.

Cases, each **quiet** and **busy**; the **baseline** is today's loading path before this
bench (``python -m bench.baselines --memory-before run``: the weights read into memory, the
numpy encoder's float32 copies kept beside the onnxruntime session), measured in the same
run:

* **quiet** — every process READY and its /ask meaning search loaded, then idle;
* **busy** — after each process answered /ask questions and a burst of vote clicks (the
  memory a bot keeps once it has worked: caches, arenas, the session's buffers).

"Where it goes" splits one process two ways: by mapping (``/proc/PID/smaps`` of the busy
process: the model file's mapped pages, onnxruntime's and the other libraries' code, the
anonymous heap) and by stage (a probe process that loads what ``herbot run`` loads, one step
at a time, reading its own PSS after each).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # `python bench/memory.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _fake_discord as fake
from bench.burst import _prepare_database as _prepare
from bench.burst import loadavg
from bench.scale import _fresh_pg, postgres_cluster

ROOT = Path(__file__).resolve().parent.parent
PATHS = ("baseline", "herbot")
COMMANDS = {
    "baseline": [sys.executable, "-m", "bench.baselines", "--memory-before", "run"],
    "herbot": [str(Path(sys.executable).with_name("herbot")), "run"],
}
QUESTIONS = (
    "Who voices Samantha?",
    "What does Theodore do for a living?",
    "Who plays Amy?",
    "What is Samantha?",
    "Who directed Her?",
    "Why does Samantha leave?",
    "Who is Catherine?",
    "What happens at the end of the film?",
    "Where is the film set?",
    "What does Theodore write?",
)
CLICKS = 200
MB = 1024.0  # smaps reports kB


@dataclass
class Sample:
    pss_kb: int
    rss_kb: int


@dataclass
class Case:
    path: str
    engine: str
    processes: int
    quiet: list[Sample]
    busy: list[Sample]
    where: dict[str, int]  # busy, first process: category -> PSS kB

    @staticmethod
    def total(samples: list[Sample]) -> float:
        return sum(s.pss_kb for s in samples) / MB


# ---------------------------------------------------------------------------- smaps


def rollup(pid: int | str = "self") -> Sample:
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0])
    return Sample(fields["Pss"], fields["Rss"])


_MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")


def category(path: str) -> str:
    if path.endswith("model.safetensors"):
        return "model weights (mapped file)"
    if "onnxruntime" in path:
        return "onnxruntime library"
    if ".so" in path:
        return "other libraries (numpy, tokenizers, Python...)"
    if path in ("", "[heap]") or path.startswith("[anon"):
        return "heap: Python objects, arrays, session (anonymous)"
    if path.startswith("[stack"):
        return "stacks"
    return "other files and mappings"


def where(pid: int) -> dict[str, int]:
    """PSS kB by :func:`category`, summed over ``/proc/PID/smaps``."""
    out: dict[str, int] = {}
    current = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if _MAPPING.match(line):
            parts = line.split(None, 5)
            current = category(parts[5].strip() if len(parts) > 5 else "")
        elif line.startswith("Pss:"):
            out[current] = out.get(current, 0) + int(line.split()[1])
    return out


# ---------------------------------------------------------------------------- processes


def _log_has(path: Path, text: str, times: int = 1) -> bool:
    try:
        return path.read_text(errors="replace").count(text) >= times
    except FileNotFoundError:
        return False


async def run_case(path: str, engine: str, processes: int, admin: str, logs: Path) -> Case:
    servers = [fake.FakeDiscord() for _ in range(processes)]
    bots: list[subprocess.Popen[bytes]] = []
    tmp = Path(tempfile.mkdtemp(prefix="herbot-memory."))
    try:
        for server in servers:
            await server.start()
        if engine == "sqlite":
            target = str(tmp / "memory.db")
            db_env = {"HERBOT_DB": target, "HERBOT_DATABASE_URL": ""}
        else:
            target = await _fresh_pg(admin, f"memory_{path}_{processes}")
            db_env = {"HERBOT_DATABASE_URL": target}
        poll_id, message = await _prepare(target)
        name = f"memory-{path}-{engine}-{processes}"
        log_paths = [logs / f"{name}-{n}.log" for n in range(processes)]
        for n, (server, log_path) in enumerate(zip(servers, log_paths, strict=True)):
            env = {
                **os.environ,
                **db_env,
                "DISCORD_TOKEN": "bench.fake.token",
                "DISCORD_API_BASE": server.api_base,
                "DISCORD_GATEWAY_URL": server.gateway_url,
            }
            shards = ["--shard-count", str(processes), "--shard-ids", str(n)]
            with log_path.open("wb") as log:
                bots.append(
                    subprocess.Popen(  # noqa: ASYNC220 - started before any measurement
                        [*COMMANDS[path], *(shards if processes > 1 else [])],
                        env=env,
                        cwd=ROOT,
                        stdout=log,
                        stderr=log,
                    )
                )
        # Ready: identified, and /ask's model loaded twice over (the warm-up's and the cog's).
        for server, bot, log_path in zip(servers, bots, log_paths, strict=True):
            for _ in range(3000):
                ready = server.identified.is_set() and _log_has(
                    log_path, "/ask dense index ready", 2
                )
                if ready or bot.poll() is not None:
                    break
                await asyncio.sleep(0.1)
            if not ready:
                raise RuntimeError(f"a bot did not get ready: see {log_path}")
        await asyncio.sleep(2)
        quiet = [rollup(bot.pid) for bot in bots]

        ids = iter(range(970_000_000_000_000_000, 980_000_000_000_000_000))
        for server in servers:
            for n, question in enumerate(QUESTIONS * 2):
                options = [{"name": "question", "type": 3, "value": question}]
                payload = fake.command_payload(next(ids), 20_000 + n, "ask", options)
                await server.dispatch("INTERACTION_CREATE", payload)
                await server.wait_acks(len(server.acks) + 1, 60)
            for n in range(CLICKS):
                custom_id = f"herbot:poll:vote:{poll_id}:{n % 3}"
                payload = fake.click_payload(next(ids), 30_000 + n, custom_id, message)
                await server.dispatch("INTERACTION_CREATE", payload)
            await server.wait_acks(len(QUESTIONS) * 2 + CLICKS, 60)
        await asyncio.sleep(3)  # the last answers are edited in after their acknowledgement
        busy = [rollup(bot.pid) for bot in bots]
        found = where(bots[0].pid)
        for bot in bots:
            bot.send_signal(signal.SIGINT)
        for bot in bots:
            await asyncio.to_thread(bot.wait, 30)
        return Case(path, engine, processes, quiet, busy, found)
    finally:
        for bot in bots:
            if bot.poll() is None:
                bot.kill()
                bot.wait()
        for server in servers:
            await server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------- stages


def stages(path: str) -> list[tuple[str, int]]:
    """In a fresh process: PSS kB after each step of what ``herbot run`` loads."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.memory", "--stages-of", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = []
    for line in out.splitlines():
        name, _, kb = line.rpartition("\t")
        if name:
            rows.append((name, int(kb)))
    return rows


def _print_stages(path: str) -> None:
    """The probe (``--stages-of``): one line per stage, ``name<TAB>PSS kB``."""

    def mark(name: str) -> None:
        print(f"{name}\t{rollup().pss_kb}", flush=True)

    mark("Python")
    if path == "baseline":
        from bench.baselines import memory_before

        memory_before()
    import importlib

    import bot.app
    import bot.cli  # noqa: F401

    for cog in sorted(ROOT.glob("cogs/*/*cog.py")):  # what the features' setups import
        importlib.import_module(".".join(cog.relative_to(ROOT).with_suffix("").parts))

    mark("imports (discord.py, SQLAlchemy, features)")
    from cogs.quotes.ask import embedder

    embedder.shared_model()
    mark("tokenizer and model weights")
    import onnx  # noqa: F401

    from cogs.quotes.ask.onnx_encoder import onnxruntime

    onnxruntime()
    mark("onnx and onnxruntime modules")
    encoder = embedder.fast_model()
    encoder.encode(["Who voices Samantha?"])
    mark("onnxruntime session")

    async def index() -> None:
        from cogs.quotes.ask.hybrid import Retriever

        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "stages.db"
            await _prepare(target)
            from bot.db import Database

            db = await Database.open(str(target), migrate=False)
            try:
                retriever = Retriever(db)
                await retriever.start()
                await retriever.retrieve("Who voices Samantha?", None)
            finally:
                await db.close()

    asyncio.run(index())
    mark("SQLite, curated store and /ask index")


# ---------------------------------------------------------------------------- report


def table(cases: list[Case]) -> str:
    lines = [
        "| path | engine | processes | total PSS quiet / busy MB | first process PSS quiet / busy "
        "MB | added per further process (busy) MB | RSS per process (busy) MB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for c in cases:
        busy = c.total(c.busy)
        one = next(
            (o for o in cases if (o.path, o.engine, o.processes) == (c.path, c.engine, 1)), None
        )
        added = (
            f"{(busy - one.total(one.busy)) / (c.processes - 1):.0f}"
            if one is not None and c.processes > 1
            else "-"
        )
        rss = [s.rss_kb / MB for s in c.busy]
        lines.append(
            f"| {c.path}{' (before)' if c.path == 'baseline' else ''} | {c.engine} "
            f"| {c.processes} | {c.total(c.quiet):.0f} / {busy:.0f} "
            f"| {c.quiet[0].pss_kb / MB:.0f} / {c.busy[0].pss_kb / MB:.0f} | {added} "
            f"| {min(rss):.0f}-{max(rss):.0f} |"
        )
    return "\n".join(lines)


def where_table(cases: list[Case], steps: dict[str, list[tuple[str, int]]]) -> str:
    singles = {c.path: c for c in cases if (c.engine, c.processes) == ("sqlite", 1)}
    names = sorted({k for c in singles.values() for k in c.where}, key=lambda k: -max(
        c.where.get(k, 0) for c in singles.values()
    ))  # fmt: skip
    lines = [
        "| one process, by mapping (busy) | " + " | ".join(f"{p} MB" for p in singles) + " |",
        "|---|" + "---:|" * len(singles),
    ]
    for name in names:
        values = " | ".join(f"{c.where.get(name, 0) / MB:.1f}" for c in singles.values())
        lines.append(f"| {name} | {values} |")
    lines += [
        "",
        "| one process, by stage (PSS added) | " + " | ".join(f"{p} MB" for p in steps) + " |",
        "|---|" + "---:|" * len(steps),
    ]
    first = next(iter(steps.values()), [])
    for i, (name, _) in enumerate(first):
        cells = []
        for rows in steps.values():
            before = rows[i - 1][1] if i else 0
            cells.append(f"{(rows[i][1] - before) / MB:.1f}")
        lines.append(f"| {name} | {' | '.join(cells)} |")
    totals = " | ".join(f"{rows[-1][1] / MB:.1f}" for rows in steps.values())
    lines.append(f"| total | {totals} |")
    return "\n".join(lines)


async def main_async(counts: Sequence[int], logs: Path) -> list[Case]:
    cases = []
    with postgres_cluster() as admin:
        for path in PATHS:
            for engine, processes in (("sqlite", 1), *(("postgresql", n) for n in counts)):
                cases.append(await run_case(path, engine, processes, admin, logs))
    return cases


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one and two processes only")
    parser.add_argument("--logs", type=Path, default=None, help="keep the bots' logs here")
    parser.add_argument("--stages-of", choices=PATHS, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)  # `python -m bench --quick` passes others' options
    if args.stages_of:
        _print_stages(args.stages_of)
        return 0
    counts = (1, 2) if args.quick else (1, 2, 4)
    before = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        logs = args.logs or Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        cases = asyncio.run(main_async(counts, logs))
    steps = {path: stages(path) for path in PATHS}
    after = loadavg()
    print(
        "memory of `herbot run` processes, each on its own loopback fake Discord, shards of one "
        "bot on one database; PSS from /proc/PID/smaps_rollup\n"
    )
    print(table(cases))
    print()
    print(where_table(cases, steps))
    print(
        f"\nquiet: READY and /ask loaded, idle. busy: after {len(QUESTIONS) * 2} /ask questions "
        f"and {CLICKS} vote clicks per process.\nPSS counts a page shared by k processes 1/k "
        "in each: the total is what the host spends."
    )
    print(f"machine load average before: {before}; after: {after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
