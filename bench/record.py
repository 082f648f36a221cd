"""Benchmark thread recording: recorder rate, rate through the real bot, export time and memory.

Run ``python -m bench.record`` (or ``python bench/record.py``); ``--quick`` for a smoke run.
Every figure has a baseline measured in the same run:

- recorder: batched writes (one transaction per batch, executemany) vs one commit per message;
- real bot (simcord): members sending in a recorded thread vs the same sends unrecorded;
- export: the streamed exporters for 10k and 100k messages (time, peak traced memory) vs a
  naive JSON export that loads every row and builds the document in memory;
- catch-up after downtime: a real ``herbot run`` process started on a recorded channel that
  missed N messages, against ``bench/_fake_discord.py`` (history rate limited to
  ``CATCHUP_PAGES_PER_SECOND`` pages of 100), messages recovered per second from its first
  history page to the last message kept; quiet, and busy (members posting live meanwhile);
  baseline: a bare HTTP client paging the same history under the same limit (no bot).
- ``--fidelity``: exporting a 100k-message thread that holds reactions (on every message),
  attachments (every 10th, saved, deduplicated), embeds and polls vs the same thread as
  today's main kept it (text only: the baseline), quiet and with a busy neighbour process.

Prints Markdown tables (medians of ``--repeat`` runs for the rates).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # python bench/record.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db import Database
from cogs.threads import records
from cogs.threads.recording import store
from cogs.threads.recording.recorder import Recorder
from cogs.threads.records import Attachment, MessageRecord
from cogs.threads.transcripts.exporters import FORMATS, export_transcript, open_reader

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CHANNEL = 777
WORDS = (
    "Samantha Theodore letters Amy OS love loneliness ending software person Altman "
    "misreads film voice city Catherine divorce growth leave infinite between words"
).split()


def fake_message(i: int, channel: int = CHANNEL) -> MessageRecord:
    at = T0 + timedelta(milliseconds=250 * i)
    text = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(12 + i % 20))
    return MessageRecord(
        message_id=records.snowflake_at(at) + i % 4096,
        channel_id=channel,
        guild_id=1,
        author_id=1000 + i % 37,
        author_name=f"member{i % 37}",
        created_at=at,
        content=text,
        reply_to=None,
    )


async def fresh_db(path: Path) -> Database:
    db = await Database.open(path)
    async with db.transaction() as tx:
        await store.start_recording(
            tx,
            channel_id=CHANNEL,
            guild_id=1,
            name="bench thread",
            parent_id=None,
            reason="manual",
            started_by=None,
            now=T0 - timedelta(seconds=1),
        )
    return db


async def recorder_rate(tmp: Path, n: int, *, batched: bool, run: int) -> float:
    db = await fresh_db(tmp / f"rec-{batched}-{run}.db")
    try:
        messages = [fake_message(i) for i in range(n)]
        recorder = Recorder(db, max_batch=2000)
        start = time.perf_counter()
        if batched:
            recorder.start()
            for m in messages:
                recorder.add_message(m)
                if recorder.pending >= recorder.max_batch:
                    await asyncio.sleep(0)  # let the eager flush run, as the bot's loop would
            await recorder.close()
        else:
            for m in messages:  # baseline: one transaction (commit) per message
                recorder.add_message(m)
                await recorder.flush()
        elapsed = time.perf_counter() - start
        assert await db.fetchval("SELECT COUNT(*) FROM recorded_messages") == n
        return n / elapsed
    finally:
        await db.close()


async def bot_rates(tmp: Path, n_e2e: int, n_gateway: int, *, recorded: bool, run: int):
    """Messages per second through the real bot, two ways, in one simcord world.

    - end to end: members send one by one through simcord (each send waits until the bot
      has settled, so simcord's settle polling bounds the rate);
    - gateway: MESSAGE_CREATE payloads handed to discord.py's own gateway parser as fast as
      the loop takes them: parsing, cache, dispatch, the bot's on_message and our recorder,
      everything except the websocket.
    """
    import discord
    import simcord

    from bot import guild_settings
    from bot.app import create_bot
    from bot.config import load_settings
    from bot.prepare import prepare_database

    name = f"bot-{recorded}-{run}.db"
    settings = load_settings(env={"HERBOT_DB": str(tmp / name)}, dotenv=False)
    db = await prepare_database(settings)
    bot = create_bot(settings, db)
    try:
        async with simcord.run(bot) as env:
            await env.bot.tree.sync()
            guild = env.create_guild("bench")
            channel = guild.create_text_channel("general")
            role = guild.create_role("Moderators")
            mod = guild.add_member(env.create_user("mod"), roles=[role])
            members = [guild.add_member(env.create_user(f"m{i}")) for i in range(5)]
            async with db.transaction() as tx:
                await guild_settings.set_value(tx, guild.id, "moderator_role_id", str(role.id))
            parent = env.bot.get_channel(channel.id)
            made = await parent.create_thread(name="bench", type=discord.ChannelType.public_thread)
            await env.settle()
            thread = next(t for t in channel.threads if t.id == made.id)
            if recorded:
                await mod.slash(thread, "record start")
            cog = env.bot.get_cog("ThreadRecording")

            start = time.perf_counter()
            for i in range(n_e2e):
                await members[i % len(members)].send(thread, f"message {i} " + WORDS[i % 20])
            await cog.recorder.flush()
            e2e = n_e2e / (time.perf_counter() - start)

            parse = env.bot._connection.parsers["MESSAGE_CREATE"]
            payloads = [
                gateway_message(i, thread.id, guild.id, members[i % len(members)])
                for i in range(n_gateway)
            ]
            seen = 0
            all_seen = asyncio.Event()

            async def count(message: discord.Message) -> None:
                nonlocal seen
                seen += 1
                if seen == n_gateway:
                    all_seen.set()

            env.bot.add_listener(count, "on_message")
            start = time.perf_counter()
            for payload in payloads:
                parse(payload)
            await all_seen.wait()  # every message reached on_message ...
            await asyncio.sleep(0)  # ... and the listener tasks started with it ran
            await cog.recorder.flush()
            gateway = n_gateway / (time.perf_counter() - start)
            env.bot.remove_listener(count, "on_message")

            kept = await db.fetchval("SELECT COUNT(*) FROM recorded_messages")
            expected = n_e2e + n_gateway if recorded else 0
            assert kept == expected, (kept, expected)
            return e2e, gateway
    finally:
        await db.close()


CATCHUP_PAGES_PER_SECOND = 10  # the fake's history limit: at most 1,000 messages a second
LIVE_PER_SECOND = 200  # the busy column: members posting live while catch-up runs


async def recorded_database(target: Path | str) -> None:
    """A migrated database recording the fake's channel (the catch-up bench and its test)."""
    from dataclasses import replace

    from bench import _fake_discord as fake
    from bot.config import load_settings
    from bot.prepare import prepare_database

    settings = replace(load_settings(dotenv=False), database=target, token=None)
    db = await prepare_database(settings)
    try:
        async with db.transaction() as tx:
            await store.start_recording(
                tx,
                channel_id=fake.CHANNEL_ID,
                guild_id=fake.GUILD_ID,
                name="general",
                parent_id=None,
                reason="manual",
                started_by=1,
                now=datetime.now(UTC),
            )
    finally:
        await db.close()


def _start_herbot(tmp: Path, target: Path, server: Any) -> subprocess.Popen[bytes]:
    """``herbot run`` on ``target`` against the fake, catch-up unbounded per conversation."""
    config = tmp / "catchup-config"
    if not config.exists():
        config.mkdir()
        shipped = Path(__file__).resolve().parent.parent / "herbot_config" / "settings.toml"
        text = shipped.read_text(encoding="utf-8")
        text = text.replace("[threads]\n", "[threads]\ncatchup_max = 1000000\n", 1)
        (config / "settings.toml").write_text(text, encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HERBOT_", "DISCORD_"))},
        "HERBOT_DB": str(target),
        "HERBOT_CONFIG_DIR": str(config),
        "DISCORD_TOKEN": "bench.fake.token",
        "DISCORD_API_BASE": server.api_base,
        "DISCORD_GATEWAY_URL": server.gateway_url,
    }
    herbot = Path(sys.executable).with_name("herbot")
    log = (tmp / "catchup-herbot.log").open("ab")
    return subprocess.Popen([str(herbot), "run"], env=env, stdout=log, stderr=log)


async def catchup_rate(tmp: Path, n: int, *, busy: bool, run: int) -> tuple[float, int, int]:
    """(messages recovered per second, history pages, 429s) of a real process's catch-up."""
    from bench import _fake_discord as fake

    target = tmp / f"catchup-{busy}-{run}.db"
    await recorded_database(target)
    server = fake.FakeDiscord(history_per_second=CATCHUP_PAGES_PER_SECOND)
    await server.start()
    missed = {int(server.member_message(f"missed {i} " + WORDS[i % 20])["id"]) for i in range(n)}
    bot = _start_herbot(tmp, target, server)
    live_task: asyncio.Task[None] | None = None
    db = await Database.open(target, migrate=False)
    try:
        await asyncio.wait_for(server.identified.wait(), 180)

        async def live() -> None:
            await asyncio.sleep(1.0)  # the guild is in
            i = 0
            while True:
                await server.dispatch("MESSAGE_CREATE", server.member_message(f"live {i}"))
                i += 1
                await asyncio.sleep(1 / LIVE_PER_SECOND)

        if busy:
            live_task = asyncio.create_task(live())
        deadline = time.perf_counter() + 300
        while time.perf_counter() < deadline:
            rows = await db.fetchall("SELECT message_id FROM recorded_messages WHERE recovered = 1")
            if missed <= {int(r[0]) for r in rows}:
                break
            if bot.poll() is not None:
                raise RuntimeError(f"herbot run exited; see {tmp / 'catchup-herbot.log'}")
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError(f"catch-up not done in 300 s; see {tmp / 'catchup-herbot.log'}")
        done = time.perf_counter()
        assert server.first_page_at is not None
        return n / (done - server.first_page_at), server.history_pages, server.limited
    finally:
        if live_task is not None:
            live_task.cancel()
        await db.close()
        bot.terminate()
        await asyncio.to_thread(bot.wait, 30)
        await server.stop()


async def bare_paging_rate(n: int) -> float:
    """The baseline: the same history paged (100 at a time, newest first) by a bare client."""
    import aiohttp

    from bench import _fake_discord as fake

    server = fake.FakeDiscord(history_per_second=CATCHUP_PAGES_PER_SECOND)
    await server.start()
    for i in range(n):
        server.member_message(f"missed {i} " + WORDS[i % 20])
    url = f"{server.api_base}/channels/{fake.CHANNEL_ID}/messages"
    got, before = 0, None
    try:
        async with aiohttp.ClientSession() as http:
            start = time.perf_counter()
            while True:
                params = {"limit": "100", **({"before": before} if before else {})}
                async with http.get(url, params=params) as answer:
                    body = await answer.json()
                if answer.status == 429:
                    await asyncio.sleep(float(body["retry_after"]))
                    continue
                got += len(body)
                if len(body) < 100:
                    break
                before = body[-1]["id"]
            assert got == n
            return n / (time.perf_counter() - start)
    finally:
        await server.stop()


def gateway_message(i: int, channel_id: int, guild_id: int, member: Any) -> dict[str, Any]:
    """A MESSAGE_CREATE payload as Discord sends it."""
    at = datetime.now(UTC) + timedelta(milliseconds=i)
    return {
        "id": str(records.snowflake_at(at) + 2_000_000 + i % 4096),
        "channel_id": str(channel_id),
        "guild_id": str(guild_id),
        "author": {
            "id": str(member.id),
            "username": member.name,
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
        },
        "member": {"roles": [], "joined_at": at.isoformat(), "deaf": False, "mute": False},
        "content": f"gateway message {i} " + " ".join(WORDS[i % 20 : i % 20 + 8]),
        "timestamp": at.isoformat(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }


def naive_json_export(db_path: Path, out: Path) -> None:
    """Baseline: every row loaded, the whole document built in memory, then written."""
    conn = open_reader(db_path)
    try:
        rows = conn.execute(
            "SELECT m.message_id, m.author_id, m.author_name, m.created_at, v.content "
            "FROM recorded_messages m JOIN recorded_versions v USING (message_id) "
            "WHERE m.channel_id = ? ORDER BY m.message_id, v.version",
            (CHANNEL,),
        ).fetchall()
        doc = {
            "messages": [
                {
                    "id": str(r[0]),
                    "author": {"id": str(r[1]), "name": r[2]},
                    "created_at": r[3],
                    "content": r[4],
                }
                for r in rows
            ]
        }
        out.write_text(json.dumps(doc), encoding="utf-8")
    finally:
        conn.close()


async def build_thread(path: Path, n: int) -> None:
    db = await fresh_db(path)
    try:
        recorder = Recorder(db, max_batch=5000)
        for i in range(n):
            recorder.add_message(fake_message(i))
            if recorder.pending >= 5000:
                await recorder.flush()
        await recorder.flush()
    finally:
        await db.close()


def rich_message(i: int) -> MessageRecord:
    """``fake_message(i)`` holding what herbot.transcript/2 keeps beyond the text."""
    plain = fake_message(i)
    extra: dict[str, Any] = {"reactions": (("👍", 1 + i % 5), ("<:samantha:42>", 1 + i % 3))}
    if i % 10 == 0:
        extra["attachments"] = (
            Attachment(f"still-{i}.png", 2048, "image/png", f"https://cdn.example/{i}.png"),
        )
    if i % 50 == 0:
        extra["embeds"] = (
            {
                "title": f"Her, scene {i}",
                "url": "https://example.org/her",
                "description": " ".join(WORDS),
                "fields": [{"name": "Runtime", "value": "126 min", "inline": True}],
            },
        )
    if i % 200 == 0:
        extra["poll"] = {
            "question": "Is Samantha a person?",
            "answers": [
                {"id": 1, "text": "Yes", "emoji": None, "votes": i % 7},
                {"id": 2, "text": "No", "emoji": None, "votes": i % 3},
            ],
            "multiple": False,
            "expires_at": None,
            "finalized": True,
            "total_votes": i % 7 + i % 3,
            "winner_id": 1,
        }
    return replace(plain, **extra)


async def build_rich_thread(path: Path, n: int) -> None:
    """``n`` rich messages; every 10th attachment saved (100 distinct files, deduplicated)."""
    db = await fresh_db(path)
    try:
        recorder = Recorder(db, max_batch=5000)
        saved: list[MessageRecord] = []
        for i in range(n):
            m = rich_message(i)
            recorder.add_message(m)
            if m.attachments:
                saved.append(m)
            if recorder.pending >= 5000:
                await recorder.flush()
        await recorder.flush()
        async with db.transaction() as tx:
            for k, m in enumerate(saved):
                await store.save_file(
                    tx,
                    guild_id=1,
                    message_id=m.message_id,
                    position=0,
                    data=bytes([k % 100]) * 2048,
                    content_type="image/png",
                    guild_budget=1 << 40,
                    now=T0,
                )
    finally:
        await db.close()


NEIGHBOUR = (
    "import sys, time\nend = time.time() + float(sys.argv[1])\nwhile time.time() < end: pass"
)


class Neighbour:
    """A busy neighbour process (one core spinning) for the "busy" column; killed on exit."""

    def __enter__(self) -> Neighbour:
        self.proc = subprocess.Popen([sys.executable, "-c", NEIGHBOUR, "900"])
        time.sleep(0.3)
        return self

    def __exit__(self, *_: object) -> None:
        self.proc.kill()
        self.proc.wait()


# Today's export: the exporter of a git ref (main), run in a child process on the same thread.
BASELINE_CHILD = """
import json, sys, time, tracemalloc
from pathlib import Path
from cogs.threads.transcripts.exporters import export_transcript
db, fmt, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
start = time.perf_counter()
export_transcript(db, int(sys.argv[4]), fmt, out, max_bytes=1 << 62, stem=fmt)
secs = time.perf_counter() - start
tracemalloc.start()
export_transcript(db, int(sys.argv[4]), fmt, out, max_bytes=1 << 62, stem=fmt)
print(json.dumps([secs, tracemalloc.get_traced_memory()[1] / 1048576]))
"""


def checkout(ref: str, into: Path) -> Path | None:
    """``ref``'s code (bot/, cogs/, herbot_config/) unpacked in ``into``; None without git."""
    root = Path(__file__).resolve().parent.parent
    try:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", ref, "bot", "cogs", "herbot_config"],
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def baseline_export(code: Path, db_path: Path, fmt: str, out: Path) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", BASELINE_CHILD, str(db_path), fmt, str(out), str(CHANNEL)],
        check=True,
        capture_output=True,
        cwd=code,
        env={"PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
    )
    secs, peak = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return float(secs), float(peak)


async def fidelity_rows(
    tmp: Path, size: int, formats: tuple[str, ...], ref: str
) -> list[tuple[str, ...]]:
    plain_db, rich_db = tmp / f"plain-{size}.db", tmp / f"rich-{size}.db"
    await build_thread(plain_db, size)
    await build_rich_thread(rich_db, size)
    code = checkout(ref, tmp / "baseline-code")
    rows: list[tuple[str, ...]] = []
    for fmt in formats:
        cells: dict[tuple[str, str], tuple[float, float, float]] = {}
        for machine in ("quiet", "busy"):
            if code is not None:
                out = tmp / f"base-{size}-{fmt}-{machine}"
                out.mkdir()
                if machine == "busy":
                    with Neighbour():
                        secs, peak = baseline_export(code, plain_db, fmt, out)
                else:
                    secs, peak = baseline_export(code, plain_db, fmt, out)
                mb = sum(p.stat().st_size for p in out.iterdir()) / (1024 * 1024)
                cells[(machine, "today")] = (secs, peak, mb)
            for label, db_path in (("plain", plain_db), ("rich", rich_db)):
                out = tmp / f"fid-{size}-{fmt}-{machine}-{label}"
                out.mkdir()

                def run(db_path: Path = db_path, out: Path = out, fmt: str = fmt) -> None:
                    export_transcript(db_path, CHANNEL, fmt, out, max_bytes=1 << 62, stem=fmt)

                if machine == "busy":
                    with Neighbour():
                        secs, peak = measure(run)
                else:
                    secs, peak = measure(run)
                mb = sum(p.stat().st_size for p in out.iterdir()) / (1024 * 1024)
                cells[(machine, label)] = (secs, peak, mb)
        for label, what in (
            ("rich", f"{fmt}: {size:,} msgs with reactions, attachments, embeds, polls"),
            ("plain", f"{fmt}: {size:,} msgs, text only, this branch's exporter"),
            ("today", f"{fmt}: {size:,} msgs, text only, {ref}'s exporter (baseline)"),
        ):
            if (machine, label) not in cells:
                continue
            q, b = cells[("quiet", label)], cells[("busy", label)]
            rows.append(
                (
                    what,
                    f"{q[0]:.2f} s, peak {q[1]:.1f} MiB, {q[2]:.0f} MiB file",
                    f"{b[0]:.2f} s, peak {b[1]:.1f} MiB",
                )
            )
    return rows


def measure(fn: Callable[[], Any]) -> tuple[float, float]:
    """(seconds, peak traced MiB): time without tracing, memory in a second traced run."""
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return elapsed, peak / (1024 * 1024)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--storage-only", action="store_true", help="only the recorder rows (no bot, no exports)"
    )
    parser.add_argument(
        "--catchup-only", action="store_true", help="only the catch-up table (real processes)"
    )
    parser.add_argument(
        "--fidelity",
        action="store_true",
        help="only the export of a thread holding reactions, attachments, embeds and polls",
    )
    parser.add_argument("--baseline-ref", default="main", help="git ref of today's exporter")
    args = parser.parse_args(argv)
    if args.fidelity:
        size = 10_000 if args.quick else 100_000
        formats = FORMATS if args.quick else ("json", "html")
        with tempfile.TemporaryDirectory(prefix="herbot-bench-") as tmp_name:
            table = await fidelity_rows(Path(tmp_name), size, formats, args.baseline_ref)
        print(f"\nTranscript fidelity export benchmark ({size:,} messages)\n")
        print("| What | Quiet | Busy (a neighbour process spinning) |")
        print("|---|---:|---:|")
        for what, quiet, busy in table:
            print(f"| {what} | {quiet} | {busy} |")
        return 0
    logging.basicConfig(level=logging.WARNING)
    quick = args.quick
    repeat = 1 if quick else args.repeat
    n_rec, n_base = (5_000, 500) if quick else (50_000, 3_000)
    n_e2e, n_gateway = (100, 5_000) if quick else (200, 20_000)
    sizes = (2_000, 10_000) if quick else (10_000, 100_000)
    n_catchup = 2_000 if quick else 10_000

    rows: list[tuple[str, str, str]] = []
    catchup_rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="herbot-bench-") as tmp_name:
        tmp = Path(tmp_name)
        quiet = [await catchup_rate(tmp, n_catchup, busy=False, run=r) for r in range(repeat)]
        busy = [await catchup_rate(tmp, n_catchup, busy=True, run=r) for r in range(repeat)]
        bare = [await bare_paging_rate(n_catchup) for _ in range(repeat)]
        q, b, w = (statistics.median(x[0] for x in quiet), statistics.median(x[0] for x in busy),
                   statistics.median(bare))  # fmt: skip
        catchup_rows.append(
            (f"herbot catch-up of {n_catchup:,} missed (msg/s)", f"{q:,.0f}", f"{b:,.0f}")
        )
        catchup_rows.append(
            ("  of the bare client's rate (baseline below)", f"{q / w:.0%}", f"{b / w:.0%}")
        )
        catchup_rows.append(
            (
                "  history pages, 429s answered",
                f"{quiet[0][1]}, {quiet[0][2]}",
                f"{busy[0][1]}, {busy[0][2]}",
            )
        )
        catchup_rows.append(
            ("Bare HTTP client paging the same history (baseline, msg/s)", f"{w:,.0f}", "—")
        )
        if args.catchup_only:
            _print_catchup(catchup_rows, n_catchup, quick, repeat)
            return 0
        batched = [await recorder_rate(tmp, n_rec, batched=True, run=r) for r in range(repeat)]
        single = [await recorder_rate(tmp, n_base, batched=False, run=r) for r in range(repeat)]
        b, s = statistics.median(batched), statistics.median(single)
        rows.append(("Recorder, batched (msg/s)", f"{b:,.0f}", f"×{b / s:,.0f} vs baseline"))
        rows.append(("Recorder, one commit per message (baseline, msg/s)", f"{s:,.0f}", "1×"))
        if args.storage_only:
            sizes = ()
        else:
            live = [
                await bot_rates(tmp, n_e2e, n_gateway, recorded=True, run=r) for r in range(repeat)
            ]
            bare = [
                await bot_rates(tmp, n_e2e, n_gateway, recorded=False, run=r) for r in range(repeat)
            ]
            for k, label in ((1, "gateway dispatch"), (0, "simcord end to end")):
                lv = statistics.median(x[k] for x in live)
                br = statistics.median(x[k] for x in bare)
                rows.append(
                    (
                        f"Real bot, {label}, recorded (msg/s)",
                        f"{lv:,.0f}",
                        f"{lv / br:.0%} of the same unrecorded",
                    )
                )
                rows.append(
                    (f"Real bot, {label}, not recorded (baseline, msg/s)", f"{br:,.0f}", "—")
                )

        for size in sizes:
            db_path = tmp / f"export-{size}.db"
            await build_thread(db_path, size)
            for fmt in FORMATS:
                out = tmp / f"out-{size}-{fmt}"
                out.mkdir()
                secs, peak = measure(
                    lambda fmt=fmt, out=out, db_path=db_path: export_transcript(
                        db_path, CHANNEL, fmt, out, max_bytes=1 << 62, stem=fmt
                    )
                )
                mb = sum(p.stat().st_size for p in out.iterdir()) / (1024 * 1024)
                rows.append(
                    (
                        f"Export {size:,} messages, {fmt} (streamed)",
                        f"{secs:.2f} s",
                        f"peak {peak:.1f} MiB traced, {mb:.0f} MiB file",
                    )
                )
            naive_out = tmp / f"naive-{size}.json"
            secs, peak = measure(lambda p=db_path, o=naive_out: naive_json_export(p, o))
            rows.append(
                (
                    f"Export {size:,} messages, json (baseline: all in memory)",
                    f"{secs:.2f} s",
                    f"peak {peak:.1f} MiB traced",
                )
            )

    print(f"\nThread recording benchmark ({'quick' if quick else 'full'}; median of {repeat})\n")
    print("| What | Result | Compared |")
    print("|---|---:|---|")
    for what, result, compared in rows:
        print(f"| {what} | {result} | {compared} |")
    _print_catchup(catchup_rows, n_catchup, quick, repeat)
    return 0


def _print_catchup(rows: list[tuple[str, str, str]], n: int, quick: bool, repeat: int) -> None:
    print(
        f"\nCatch-up after downtime ({'quick' if quick else 'full'}; median of {repeat}; "
        f"fake Discord history limit {CATCHUP_PAGES_PER_SECOND} pages/s of 100; busy: "
        f"{LIVE_PER_SECOND} live messages/s meanwhile)\n"
    )
    print("| What | Quiet | Busy |")
    print("|---|---:|---:|")
    for what, quiet, busy in rows:
        print(f"| {what} | {quiet} | {busy} |")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
