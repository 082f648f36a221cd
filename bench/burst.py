"""Benchmark: a 1,000-member vote burst against the bot as its own process, over the wire.

Run: ``python -m bench.burst`` (1,000 clicks within 1 s) or ``python -m bench.burst --quick``.

The bot is started by its own CLI (``herbot run``) as a separate process, pointed at the small
fake Discord in ``bench/_fake_discord.py`` (loopback only) through ``DISCORD_GATEWAY_URL`` and
``DISCORD_API_BASE``. The bench sends the clicks as compressed INTERACTION_CREATE frames on
the gateway, spread evenly over one second, and records when each interaction callback
arrives at the fake REST API: that arrival is the moment the member's "This interaction
failed" countdown stops. So the bot's event loop, JSON, decompression, HTTP client and
database are all inside the measurement, and so is the bench's own work (it shares the CPU).

Two vote paths, measured in the same run, interleaved, each **quiet** and **busy** (busy = a
CPU-bound neighbour process the bench starts and stops itself):

* **baseline** — the path before this bench (``python -m bench.baselines run``: herbot with
  the fast lane off, every click through the DynamicItem): the asyncio loop, group commits
  where a click waits for the group it joined, the answer sent after.
* **ack-first** — the bot's default: uvloop when installed, the vote written by a writer task
  that commits small groups and resolves each click the moment its group is durable, the
  answer sent at once, the tally redrawn by the timer loop off the click path.

Reported per case: clicks acknowledged, first acknowledgement after the burst began, p50 /
p99 / max click→ack, how many within 3 s, and whether the tally in the database is exact.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # `python bench/burst.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _fake_discord as fake
from bot import speed

ROOT = Path(__file__).resolve().parent.parent
PATHS = {"baseline": {"HERBOT_SPEEDUPS": "0"}, "ack-first": {"HERBOT_SPEEDUPS": "1"}}
# How each path's process starts: the baseline is herbot without the fast lane (bench/).
COMMANDS = {
    "baseline": [sys.executable, "-m", "bench.baselines", "run"],
    "ack-first": [str(Path(sys.executable).with_name("herbot")), "run"],
}
WARM_CLICKS = 20
# Issue 24's targets: every click answered, first to last acknowledgement within 2 s, p99
# within 1 s, the first acknowledgement within 50 ms (5,000 clicks sent within 1 s).
TARGET_P99_MS = 1000.0
TARGET_FIRST_MS = 50.0
TARGET_SPAN_MS = 2000.0
# --eligible: the poll admits only members who joined before it opened; every third clicker
# joined a minute after it opened (refused on the fast lane with the rule's words, never
# counted).
LATE_JOIN = timedelta(minutes=1)


@dataclass
class Row:
    path: str
    load: str
    clicks: int
    acked: int
    first_ms: float
    latencies_ms: list[float]
    exact: bool
    span_ms: float  # the first acknowledgement to the last
    edits: int
    compression: str
    cpu_ms_per_click: float

    def pct(self, q: float) -> float:
        data = sorted(self.latencies_ms) or [float("nan")]
        return data[min(len(data) - 1, round(q * (len(data) - 1)))]

    @property
    def within_3s(self) -> int:
        return sum(1 for ms in self.latencies_ms if ms <= 3000)

    @property
    def meets_target(self) -> bool:
        return (
            self.acked == self.clicks
            and self.pct(0.99) <= TARGET_P99_MS
            and self.first_ms <= TARGET_FIRST_MS
            and self.span_ms <= TARGET_SPAN_MS
            and self.exact
        )


async def _prepare_database(
    target: Path | str, *, ranked: bool = False, eligible: bool = False
) -> tuple[int, dict[str, object]]:
    """Migrate ``target`` (a SQLite path or a PostgreSQL URL) and open one poll on a message
    the fake server 'has'; bench/scale.py uses it too."""
    from bot.config import load_settings
    from bot.prepare import prepare_database
    from cogs.polls import ballot_store, store
    from cogs.polls.eligibility import Eligibility

    settings = replace(load_settings(dotenv=False), database=target, token=None)
    db = await prepare_database(settings)
    now = datetime.now(UTC)
    message_id = fake.snowflake()
    try:
        async with db.transaction() as tx:
            poll_id = await store.create_poll(
                tx,
                guild_id=fake.GUILD_ID,
                channel_id=fake.CHANNEL_ID,
                question="Samantha's growth beyond Theodore is a betrayal.",
                options=("For", "Against", "Undecided"),
                created_by=1,
                now=now,
                closes_at=now + timedelta(hours=1),
                eligibility=Eligibility(joined_before=now) if eligible else None,
            )
            await store.set_poll_message(tx, poll_id, message_id)
            if ranked:
                await ballot_store.set_kind(tx, poll_id, "ranked", None)
    finally:
        await db.close()
    buttons = [
        {"type": 2, "style": 1, "label": label, "custom_id": f"herbot:poll:vote:{poll_id}:{i}"}
        for i, label in enumerate(("For", "Against", "Undecided"))
    ]
    buttons.append(
        {
            "type": 2,
            "style": 2,
            "label": "Retract my vote",
            "custom_id": f"herbot:poll:retract:{poll_id}",
        }
    )
    embed = {
        "type": "rich",
        "title": f"Poll #{poll_id}",
        "description": "Samantha's growth beyond Theodore is a betrayal.",
        "fields": [{"name": label, "value": "0 (0%)", "inline": True} for label in "FAU"],
    }
    message = fake.message_payload(
        message_id, embeds=[embed], components=[{"type": 1, "components": buttons}]
    )
    return poll_id, message


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _neighbour() -> subprocess.Popen[bytes]:
    """A CPU-bound process competing for the cores (bounded: it stops itself after 10 min)."""
    return subprocess.Popen(
        [sys.executable, "-c", "import time\nend=time.time()+600\nwhile time.time()<end: pass"]
    )


RANKINGS = ("0.1.2", "1.2.0", "2.0", "1", "2.1.0", "0.2")  # "Submit ranking" clicks' ballots


def _refused(n: int, eligible: bool) -> bool:
    """Whether the n-th click of the burst comes from a member who joined too late."""
    return eligible and n % 3 == 2


def _click(
    iid: int,
    user: int,
    poll_id: int,
    n: int,
    ranked: bool,
    message: dict[str, object],
    late_join: str | None = None,
) -> dict[str, object]:
    """The n-th click: a vote (option n % 3), or a ranking's Submit (--ranked), whose
    message is the member's private builder holding that button (discord.py finds the
    clicked component in the message it came from)."""
    if not ranked:
        joined = late_join if late_join and _refused(n, True) else fake.NOW
        custom_id = f"herbot:poll:vote:{poll_id}:{n % 3}"
        return fake.click_payload(iid, user, custom_id, message, joined_at=joined)
    custom_id = f"herbot:poll:rsave:{poll_id}:{RANKINGS[n % len(RANKINGS)]}"
    button = {"type": 2, "style": 3, "label": "Submit ranking", "custom_id": custom_id}
    builder = {**message, "components": [{"type": 1, "components": [button]}]}
    return fake.click_payload(iid, user, custom_id, builder)


async def run_case(
    path: str,
    load: str,
    clicks: int,
    spread: float,
    log_dir: Path,
    profile: Path | None = None,
    ranked: bool = False,
    eligible: bool = False,
) -> Row:
    neighbour = _neighbour() if load == "busy" else None
    server = fake.FakeDiscord()
    await server.start()
    bot: subprocess.Popen[bytes] | None = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "burst.db"
            poll_id, message = await _prepare_database(db_path, ranked=ranked, eligible=eligible)
            late_join = (datetime.now(UTC) + LATE_JOIN).isoformat() if eligible else None
            env = {
                **os.environ,
                "HERBOT_DB": str(db_path),
                "DISCORD_TOKEN": "bench.fake.token",
                "DISCORD_API_BASE": server.api_base,
                "DISCORD_GATEWAY_URL": server.gateway_url,
                **PATHS[path],
            }
            log_file = (log_dir / f"burst-{path}-{load}.log").open("wb")
            command = COMMANDS[path]
            if profile is not None:  # the same CLI under cProfile (python -m bot == herbot)
                out = profile / f"burst-{path}-{load}.prof"
                module = "bench.baselines" if path == "baseline" else "bot"
                command = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", module, "run"]
            bot = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measurement
                command, env=env, cwd=ROOT, stdout=log_file, stderr=log_file
            )
            for _ in range(1800):  # the bot starts (migrations, /ask warm-up) and identifies
                if server.identified.is_set() or bot.poll() is not None:
                    break
                await asyncio.sleep(0.1)
            if not server.identified.is_set():
                raise RuntimeError(f"the bot did not connect: see {log_file.name}")
            ids = iter(range(950_000_000_000_000_000, 960_000_000_000_000_000))
            # Warm-up clicks, one at a time: the bot is ready once they are answered.
            for user in range(1, WARM_CLICKS + 1):
                iid = next(ids)
                await server.dispatch(
                    "INTERACTION_CREATE",
                    _click(iid, user, poll_id, 0, ranked, message),
                )
                await server.wait_acks(user, 60)
            if len(server.acks) < WARM_CLICKS:
                raise RuntimeError(f"the bot did not answer the warm-up: see {log_file.name}")
            server.edits.clear()
            sent: dict[int, float] = {}
            refused: set[int] = set()
            cpu_before = cpu_seconds(bot.pid)
            expected = [WARM_CLICKS, 0, 0]
            wanted = {user: RANKINGS[0] for user in range(1, WARM_CLICKS + 1)}
            start = time.perf_counter()
            for n in range(clicks):
                due = start + spread * n / clicks
                if (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                iid = next(ids)
                user = 10_000 + n
                sent[iid] = time.perf_counter()
                await server.dispatch(
                    "INTERACTION_CREATE",
                    _click(iid, user, poll_id, n, ranked, message, late_join),
                )
                if _refused(n, eligible):
                    refused.add(iid)
                else:
                    expected[n % 3] += 1
                wanted[user] = RANKINGS[n % len(RANKINGS)]
            await server.wait_acks(WARM_CLICKS + clicks, 30)
            cpu = cpu_seconds(bot.pid) - cpu_before
            await asyncio.sleep(3)  # let the tally loop redraw once
            latencies = [(server.acks[i] - t) * 1000 for i, t in sent.items() if i in server.acks]
            answered = [server.acks[i] for i in sent if i in server.acks]
            first = (min(answered) - start) * 1000
            span = (max(answered) - min(answered)) * 1000
            words_right = all(
                ("joined the server before" in _content(server, i)) == (i in refused)
                for i in sent
                if i in server.acks
            )
            bot.send_signal(signal.SIGINT)
            await asyncio.to_thread(bot.wait, 30)
            with contextlib.closing(sqlite3.connect(db_path)) as conn:
                if ranked:
                    stored = dict(
                        conn.execute(
                            "SELECT user_id, choices FROM poll_ballots WHERE poll_id = ?",
                            (poll_id,),
                        ).fetchall()
                    )
                    exact = stored == wanted
                else:
                    counts = dict(
                        conn.execute(
                            "SELECT position, count(*) FROM poll_votes WHERE poll_id = ?"
                            " GROUP BY position",
                            (poll_id,),
                        ).fetchall()
                    )
                    exact = [counts.get(i, 0) for i in range(3)] == expected and words_right
            return Row(
                path,
                load,
                clicks,
                len(latencies),
                first,
                latencies,
                exact,
                span,
                len(server.edits),
                server.compression or "none",
                cpu * 1000 / clicks,
            )
    finally:
        if bot is not None and bot.poll() is None:
            bot.kill()
            bot.wait()
        await server.stop()
        if neighbour is not None:
            neighbour.kill()
            neighbour.wait()


def _content(server: fake.FakeDiscord, interaction_id: int) -> str:
    body = server.ack_bodies.get(interaction_id) or {}
    return str((body.get("data") or {}).get("content", ""))


def loadavg() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def table(rows: list[Row]) -> str:
    lines = [
        "| vote path | load | clicks | acked | within 3 s | first ack ms | first→last ms "
        "| p50 ms | p99 ms | max ms | tally exact | edits | bot CPU ms/click | target met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.path} | {r.load} | {r.clicks} | {r.acked} | {r.within_3s} | "
            f"{r.first_ms:.0f} | {r.span_ms:.0f} | {r.pct(0.5):.0f} | {r.pct(0.99):.0f} | "
            f"{max(r.latencies_ms, default=float('nan')):.0f} | {'yes' if r.exact else 'NO'} | "
            f"{r.edits} | {r.cpu_ms_per_click:.2f} | {'yes' if r.meets_target else 'no'} |"
        )
    return "\n".join(lines)


async def main_async(
    clicks: int,
    spread: float,
    runs: int,
    log_dir: Path,
    profile: Path | None = None,
    ranked: bool = False,
    eligible: bool = False,
) -> list[Row]:
    cases = [(p, load) for load in ("quiet", "busy") for p in ("baseline", "ack-first")]
    found: dict[tuple[str, str], list[Row]] = {case: [] for case in cases}
    # Runs interleave the cases, so a noisy moment on the shared machine hits all of them;
    # the median run by p99 is kept for each case.
    for _ in range(runs):
        for path, load in cases:
            found[(path, load)].append(
                await run_case(path, load, clicks, spread, log_dir, profile, ranked, eligible)
            )
    return [sorted(found[c], key=lambda r: r.pct(0.99))[len(found[c]) // 2] for c in cases]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=1000, help="clicks in the burst")
    parser.add_argument("--spread", type=float, default=1.0, help="seconds the burst spans")
    parser.add_argument("--runs", type=int, default=1, help="runs per case; the median is kept")
    parser.add_argument("--quick", action="store_true", help="200 clicks, one run")
    parser.add_argument("--logs", type=Path, default=None, help="keep the bots' logs here")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the bots into here")
    parser.add_argument(
        "--ranked", action="store_true", help="ranked-choice 'Submit ranking' clicks, not votes"
    )
    parser.add_argument(
        "--eligible",
        action="store_true",
        help="the poll admits members who joined before it opened; a third joined later",
    )
    args = parser.parse_args(argv)
    clicks = 200 if args.quick else args.clicks
    before = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = args.logs or Path(tmp)
        log_dir.mkdir(parents=True, exist_ok=True)
        # The fake Discord runs on uvloop when it can: the less CPU the bench itself takes,
        # the less it competes with the bot it measures.
        rows = speed.run(
            main_async(
                clicks, args.spread, args.runs, log_dir, args.profile, args.ranked, args.eligible
            ),
            enabled=True,
            fast_loop=True,
        )
    after = loadavg()
    print(
        f"{clicks} {'ranking submits (ranked-choice)' if args.ranked else 'clicks'} within "
        f"{args.spread:g} s on one poll, the bot as `herbot run` against "
        f"a loopback fake Discord (median of {args.runs} run(s) per case)"
        + (
            "; a third of the clickers joined after the poll opened (refused, not counted)"
            if args.eligible
            else ""
        )
        + "\n"
    )
    print(table(rows))
    print(
        "\nack ms: the click's frame sent on the gateway -> its interaction callback arrived "
        "at the fake REST API.\nfirst ack: from the start of the burst. edits: tally redraws "
        f"(message edits) during the burst. gateway compression: {rows[0].compression}."
    )
    print(
        f"target (issue 24): every click acked, first to last ack <= {TARGET_SPAN_MS:.0f} ms, "
        f"p99 <= {TARGET_P99_MS:.0f} ms, first ack <= {TARGET_FIRST_MS:.0f} ms, tally exact "
        "(and, with --eligible, each refused member told the rule)."
    )
    print(f"machine load average before: {before}; after: {after} (shared: timings are noisy)")
    ok = all(r.meets_target for r in rows if r.path == "ack-first")
    print(f"\nack-first meets the target quiet and busy: {'yes' if ok else 'NO'}")
    print(f"median ack (ack-first, busy): {statistics.median(rows[-1].latencies_ms):.0f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
