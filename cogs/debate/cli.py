"""``herbot debate results|history``: the same domain code as ``/debate results|history``.

Read-only: they read committed data through the store's readers, never write.
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.clock import iso
from bot.config import Settings
from bot.db import database
from bot.presentation import plural
from cogs.debate import debates, machine, store, swing


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
