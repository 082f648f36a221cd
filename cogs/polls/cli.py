"""``herbot poll results|export``: the same domain code as ``/poll results`` and ``/poll export``.

Read-only: they read committed data through the store's readers, never write.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.db import database
from cogs.polls import ballot_store, ballots, polls, store


async def _load_poll(
    settings: Settings, poll_id: int, *, with_ballots: bool = False
) -> tuple[polls.Poll, polls.Tally, dict[int, int] | None] | None:
    """The poll, its tally and (public polls, if asked) its ballots; None if there is none."""
    async with database(settings.database) as db:
        poll = await store.get_poll(db, poll_id)
        if poll is None:
            print(f"herbot: there is no poll #{poll_id}", file=sys.stderr)
            return None
        tally = await store.tally(db, poll_id)
        ballots = await store.ballots(db, poll_id) if with_ballots and not poll.anonymous else None
    return poll, tally, ballots


async def _poll_results(args: argparse.Namespace, settings: Settings) -> int:
    loaded = await _load_poll(settings, args.id)
    if loaded is None:
        return 1
    poll, tally, _ = loaded
    state = "open" if poll.is_open else "closed"
    print(f"Poll #{poll.id} ({state}): {poll.question}")
    if poll.ballot_kind != "single":
        return await _ballot_results(settings, poll)
    for label, n, pct in tally.rows():
        print(f"  {label:<30} {n:>6}  {pct:>3}%")
    print(f"  {'total':<30} {tally.total:>6}")
    return 0


async def _ballot_data(settings: Settings, poll: polls.Poll) -> dict:
    """An approval or ranked poll's export document (every ballot; ids only if public)."""
    async with database(settings.database) as db:
        return ballots.export_data(poll, await ballot_store.ballots(db, poll.id))


async def _ballot_results(settings: Settings, poll: polls.Poll) -> int:
    data = await _ballot_data(settings, poll)
    what = "approvals" if poll.ballot_kind == "approval" else "first_choices"
    for row in data["options"]:
        print(f"  {row['option']:<30} {row[what]:>6}  {row['percent_of_ballots']:>3}% of ballots")
    print(f"  {'ballots':<30} {data['total_ballots']:>6}")
    for r in data.get("rounds", []):
        counts = ", ".join(f"{label} {n}" for label, n in r["counts"].items())
        out = f"; {r['eliminated']} out" if r["eliminated"] else ""
        print(f"  round {r['round']}: {counts} (exhausted {r['exhausted']}){out}")
    if "winner" in data:
        print(f"  winner: {data['winner'] or 'none'}")
    return 0


async def _poll_export(args: argparse.Namespace, settings: Settings) -> int:
    loaded = await _load_poll(settings, args.id, with_ballots=True)
    if loaded is None:
        return 1
    if loaded[0].ballot_kind != "single":
        data = await _ballot_data(settings, loaded[0])
        text = ballots.export_csv(data) if args.format == "csv" else polls.export_json(data)
    else:
        data = polls.export_data(*loaded)
        text = polls.export_csv(data) if args.format == "csv" else polls.export_json(data)
    if args.output:
        await asyncio.to_thread(Path(args.output).write_text, text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("poll", help="motion poll results and exports")
    psub = p.add_subparsers(dest="poll_command", required=True, metavar="ACTION")
    r = psub.add_parser("results", help="counts and percentages of a poll")
    r.add_argument("id", type=int, help="poll number")
    r.set_defaults(handler=_poll_results)
    e = psub.add_parser(
        "export",
        help="export a poll as CSV or JSON (voter ids only if public; forgotten members"
        ' show as "former member")',
    )
    e.add_argument("id", type=int, help="poll number")
    e.add_argument("--format", choices=("csv", "json"), default="csv")
    e.add_argument("--output", "-o", help="write to this file instead of stdout")
    e.set_defaults(handler=_poll_export)
