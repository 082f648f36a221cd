"""``herbot debate results|history`` and ``herbot poll results|export``: same domain code.

Read-only: they read committed data through the store's readers, never write.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.config import Settings
from bot.db import database
from bot.presentation import plural
from cogs.debate import ballot_store, ballots, debates, machine, polls, store, swing
from cogs.debate.clock import iso


def result_document(debate: debates.Debate, result: swing.SwingResult) -> dict:
    return {
        "debate_id": debate.id,
        "motion": debate.motion,
        "phase": debate.state.phase,
        "finished_at": iso(debate.finished_at) if debate.finished_at else None,
        "winner": result.winner,
        "matched_voters": result.matched,
        "pre_voters": result.pre_voters,
        "post_voters": result.post_voters,
        "shares": {
            side: {
                "pre": result.share("pre", side, 1),
                "post": result.share("post", side, 1),
                "swing": result.swing(side, 1),
            }
            for side in swing.SIDES
        },
        "moves": [{"from": a, "to": b, "members": n} for (a, b), n in result.moves.items() if n],
    }


async def _debate_results(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings.database) as db:
        debate = await store.get_debate(db, args.id)
        if debate is None:
            print(f"herbot: there is no debate #{args.id}", file=sys.stderr)
            return 1
        result = await store.debate_result(db, debate)
    if args.json:
        print(json.dumps(result_document(debate, result), indent=2, ensure_ascii=False))
        return 0
    print(f"Debate #{debate.id}: {debate.motion}")
    print(f"Phase: {machine.TITLES[debate.state.phase]}")
    if debate.state.phase != "finished":
        print("(still running: the numbers below are provisional)")
    winner = {"for": "For wins", "against": "Against wins", "tie": "Tie", None: "No result"}
    print(
        f"Result: {winner[result.winner]} — {plural(result.matched, 'member')} voted both times "
        f"(before: {result.pre_voters}, after: {result.post_voters})"
    )
    for side in swing.SIDES:
        print(
            f"  {swing.LABELS[side]:<9} {result.share('pre', side, 1):5.1f}% -> "
            f"{result.share('post', side, 1):5.1f}%  ({result.swing(side, 1):+.1f} pts)"
        )
    print()
    print(swing.moves_table(result))
    return 0


async def _debate_history(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings.database) as db:
        found = await store.debate_history(db, args.guild, args.limit)
        if not found:  # said on stderr: the listing itself stays empty for scripts
            where = f"guild {args.guild}" if args.guild else "this database"
            print(f"herbot: no debates yet in {where}", file=sys.stderr)
        for debate in found:
            outcome = machine.TITLES[debate.state.phase]
            if debate.state.phase == "finished":
                result = await store.debate_result(db, debate)
                outcome = {
                    "for": "For won",
                    "against": "Against won",
                    "tie": "tie",
                    None: "no result",
                }[result.winner]
            print(f"#{debate.id}\t{iso(debate.created_at)[:16]}\t{outcome}\t{debate.motion}")
    return 0


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
    p = sub.add_parser("debate", help="debate results and history")
    dsub = p.add_subparsers(dest="debate_command", required=True, metavar="ACTION")
    r = dsub.add_parser("results", help="a debate's winner, swing and from->to table")
    r.add_argument("id", type=int, help="debate number")
    r.add_argument("--json", action="store_true", help="print JSON")
    r.set_defaults(handler=_debate_results)
    h = dsub.add_parser("history", help="recent debates, newest first")
    h.add_argument("--guild", type=int, help="only this guild id")
    h.add_argument("--limit", type=int, default=20)
    h.set_defaults(handler=_debate_history)

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
