"""Benchmark: a vote burst on SQLite with one process vs PostgreSQL with one and two processes.

Run: ``python -m bench.scale`` (600 clicks within 1 s per case) or ``--quick`` (200 clicks).

Each process is ``herbot run`` (its own CLI) against its own loopback fake Discord
(``bench/_fake_discord.py``: one gateway connection per process, as each shard process has
its own). The clicks of one poll are sent as INTERACTION_CREATE frames spread over the
burst; with two processes (``--shard-count 2 --shard-ids 0`` and ``1``) they alternate
between the two, so both processes write votes of the same poll into one PostgreSQL
database. The bench starts its own throwaway PostgreSQL cluster (``initdb``/``pg_ctl`` from
Debian's postgresql, in a temp dir, as ``.ci/test-postgres`` does) and removes it after.

Cases, each **quiet** and **busy** (busy = a CPU-bound neighbour process the bench starts
and stops itself); the **baseline** is SQLite with one process, measured in the same run:

* ``sqlite x1`` — the default deployment (baseline);
* ``postgresql x1`` — the same process on PostgreSQL;
* ``postgresql x2`` — two shard processes on one PostgreSQL database.

Reported: clicks acknowledged, votes/s (acknowledged clicks over the time from the first
click sent to the last acknowledgement), p50/p99 click -> ack, and whether the tally in the
database is exact (one vote per member, every vote counted).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # `python bench/scale.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _fake_discord as fake
from bench.burst import _neighbour, loadavg
from bench.burst import _prepare_database as _prepare
from bot import speed

ROOT = Path(__file__).resolve().parent.parent
WARM_CLICKS = 10
CASES = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2))


@dataclass
class Row:
    engine: str
    processes: int
    load: str
    clicks: int
    acked: int
    seconds: float
    latencies_ms: list[float]
    exact: bool

    def pct(self, q: float) -> float:
        data = sorted(self.latencies_ms) or [float("nan")]
        return data[min(len(data) - 1, round(q * (len(data) - 1)))]

    @property
    def votes_per_s(self) -> float:
        return self.acked / self.seconds if self.seconds > 0 else float("nan")


# ------------------------------------------------------------------ PostgreSQL cluster


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway cluster on a free loopback port; yields its admin URL."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bins:
        raise SystemExit("bench.scale: Debian's postgresql is not installed")
    bindir = bins[-1]
    tmp = Path(tempfile.mkdtemp(prefix="herbot-scale-pg."))
    as_owner: list[str] = []
    if os.getuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(tmp, pwd.getpwnam("postgres").pw_uid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp / "data"
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run(
        [*as_owner, f"{bindir}/initdb", "-D", str(data), "-A", "trust", "-U", "herbot"],
        check=True,
        **quiet,
    )
    # Durable like a real server (fsync on): the engines are compared as deployed.
    options = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c max_connections=200"
    start = ["-l", str(tmp / "log"), "-w", "-o", options, "start"]
    subprocess.run(
        [*as_owner, f"{bindir}/pg_ctl", "-D", str(data), *start],
        check=True,
        **quiet,
    )
    try:
        yield f"postgresql://herbot@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_owner, f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            **quiet,
        )
        shutil.rmtree(tmp, ignore_errors=True)


async def _fresh_pg(admin_url: str, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name}")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return admin_url.rpartition("/")[0] + "/" + name


# ---------------------------------------------------------------------------- the bot


async def _counts(target: str, poll_id: int) -> list[int]:
    from bot.db import Database

    db = await Database.open(target, migrate=False)
    try:
        rows = await db.fetchall(
            "SELECT position, COUNT(*) FROM poll_votes WHERE poll_id = ? GROUP BY position",
            (poll_id,),
        )
    finally:
        await db.close()
    found = {int(r[0]): int(r[1]) for r in rows}
    return [found.get(i, 0) for i in range(3)]


async def start_processes(
    servers: list[fake.FakeDiscord], db_env: dict[str, str], logs: Path, name: str
) -> list[subprocess.Popen[bytes]]:
    """``herbot run`` once per fake Discord, as shards ``0..n-1`` of one bot; wait for READY.

    Used by this bench and by tests/scale/test_real_processes.py.
    """
    herbot = Path(sys.executable).with_name("herbot")
    bots: list[subprocess.Popen[bytes]] = []
    processes = len(servers)
    try:
        for n, server in enumerate(servers):
            env = {
                **os.environ,
                **db_env,
                "DISCORD_TOKEN": "bench.fake.token",
                "DISCORD_API_BASE": server.api_base,
                "DISCORD_GATEWAY_URL": server.gateway_url,
            }
            shards = ["--shard-count", str(processes), "--shard-ids", str(n)]
            log = (logs / f"{name}-{n}.log").open("wb")
            bots.append(
                subprocess.Popen(  # noqa: ASYNC220 - started before any measurement
                    [str(herbot), "run", *(shards if processes > 1 else [])],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=log,
                )
            )
        for server, bot in zip(servers, bots, strict=True):
            for _ in range(1800):
                if server.identified.is_set() or bot.poll() is not None:
                    break
                await asyncio.sleep(0.1)
            if not server.identified.is_set():
                raise RuntimeError(f"a bot did not connect: see the logs in {logs}")
    except BaseException:
        for bot in bots:
            bot.kill()
            bot.wait()
        raise
    return bots


async def run_case(
    engine: str, processes: int, load: str, clicks: int, spread: float, admin: str, logs: Path
) -> Row:
    neighbour = _neighbour() if load == "busy" else None
    servers = [fake.FakeDiscord() for _ in range(processes)]
    bots: list[subprocess.Popen[bytes]] = []
    tmp = Path(tempfile.mkdtemp(prefix="herbot-scale."))
    try:
        for server in servers:
            await server.start()
        if engine == "sqlite":
            target = str(tmp / "scale.db")
            db_env = {"HERBOT_DB": target, "HERBOT_DATABASE_URL": ""}
        else:
            target = await _fresh_pg(admin, f"scale_{processes}_{load}")
            db_env = {"HERBOT_DATABASE_URL": target}
        poll_id, message = await _prepare(target)
        bots = await start_processes(servers, db_env, logs, f"scale-{engine}-{processes}-{load}")
        ids = iter(range(950_000_000_000_000_000, 960_000_000_000_000_000))
        expected = [0, 0, 0]
        user = 1
        for server in servers:  # warm each process up, one click at a time
            for _ in range(WARM_CLICKS):
                payload = fake.click_payload(
                    next(ids), user, f"herbot:poll:vote:{poll_id}:0", message
                )
                await server.dispatch("INTERACTION_CREATE", payload)
                await server.wait_acks(len(server.acks) + 1, 60)
                expected[0] += 1
                user += 1
        sent: dict[int, tuple[int, float]] = {}
        start = time.perf_counter()
        for n in range(clicks):
            due = start + spread * n / clicks
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            which = n % processes
            iid = next(ids)
            sent[iid] = (which, time.perf_counter())
            await servers[which].dispatch(
                "INTERACTION_CREATE",
                fake.click_payload(iid, 10_000 + n, f"herbot:poll:vote:{poll_id}:{n % 3}", message),
            )
            expected[n % 3] += 1
        for server in servers:
            await server.wait_acks(WARM_CLICKS + clicks // processes, 60)
        acks = {i: servers[w].acks[i] for i, (w, _) in sent.items() if i in servers[w].acks}
        latencies = [(acks[i] - t) * 1000 for i, (_, t) in sent.items() if i in acks]
        seconds = (max(acks.values()) - start) if acks else float("nan")
        for bot in bots:
            bot.send_signal(signal.SIGINT)
        for bot in bots:
            await asyncio.to_thread(bot.wait, 30)
        exact = await _counts(target, poll_id) == expected
        return Row(engine, processes, load, clicks, len(acks), seconds, latencies, exact)
    finally:
        for bot in bots:
            if bot.poll() is None:
                bot.kill()
                bot.wait()
        for server in servers:
            await server.stop()
        if neighbour is not None:
            neighbour.kill()
            neighbour.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def table(rows: list[Row]) -> str:
    by = {(r.engine, r.processes, r.load): r for r in rows}
    lines = [
        "| engine | processes | quiet votes/s | busy votes/s | quiet p50 / p99 ms "
        "| busy p50 / p99 ms | acked (quiet, busy) | tally exact |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for engine, processes in CASES:
        q, b = by[(engine, processes, "quiet")], by[(engine, processes, "busy")]
        name = f"{engine}" + (" (baseline)" if (engine, processes) == CASES[0] else "")
        lines.append(
            f"| {name} | {processes} | {q.votes_per_s:.0f} | {b.votes_per_s:.0f} | "
            f"{q.pct(0.5):.0f} / {q.pct(0.99):.0f} | {b.pct(0.5):.0f} / {b.pct(0.99):.0f} | "
            f"{q.acked}/{q.clicks}, {b.acked}/{b.clicks} | "
            f"{'yes' if q.exact and b.exact else 'NO'} |"
        )
    return "\n".join(lines)


async def main_async(clicks: int, spread: float, logs: Path) -> list[Row]:
    rows = []
    with postgres_cluster() as admin:
        for load in ("quiet", "busy"):
            for engine, processes in CASES:
                rows.append(await run_case(engine, processes, load, clicks, spread, admin, logs))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=600, help="clicks in the burst")
    parser.add_argument("--spread", type=float, default=1.0, help="seconds the burst spans")
    parser.add_argument("--quick", action="store_true", help="200 clicks")
    parser.add_argument("--logs", type=Path, default=None, help="keep the bots' logs here")
    args = parser.parse_args(argv)
    clicks = 200 if args.quick else args.clicks
    before = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        logs = args.logs or Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        rows = speed.run(main_async(clicks, args.spread, logs), enabled=True, fast_loop=True)
    after = loadavg()
    print(
        f"{clicks} vote clicks within {args.spread:g} s on one poll; each process is "
        "`herbot run` on its own loopback fake Discord\n"
    )
    print(table(rows))
    print(
        "\nvotes/s: acknowledged clicks / (last acknowledgement - first click sent); the "
        "clicks arrive at the offered rate, so votes/s near clicks/spread means it kept up.\n"
        "ack ms: click frame sent -> its interaction callback at the fake REST API."
    )
    print(f"machine load average before: {before}; after: {after} (shared: timings are noisy)")
    return 0 if all(r.exact and r.acked == r.clicks for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
