"""``herbot ask QUESTION [--json] [--limit N] [--guild ID] [--mode MODE]``.

Also what a server taught /ask, as files (:mod:`cogs.quotes.ask.gaps_export`), under
``herbot asked`` like the moderators' ``/asked``: ``herbot asked export-taught --guild ID
[--out FILE]`` (the curated phrasings' format) and ``herbot asked eval --from-server ID
[--out FILE]`` (the format of tests/data/questions.toml). They are commands of their own, so
no question (not even "eval") is ever taken for one.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

from bot.config import Settings
from cogs.quotes.ask import gaps_export, gaps_store
from cogs.quotes.ask.answer import Answer, Result, ask
from cogs.quotes.ask.answerability import searchable
from cogs.quotes.ask.embedder import one_shot_model
from cogs.quotes.ask.hybrid import Retriever


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ask",
        help="answer a question from the quote store, with citations",
        description="Ranked passages from the quote store (the same search as /ask).",
    )
    p.add_argument("question", help='e.g. "Who voices Samantha?"')
    p.add_argument("--json", action="store_true", help="print JSON (declined: true, no results)")
    p.add_argument("--limit", type=int, default=3, help="how many passages (1-25, default 3)")
    p.add_argument("--guild", type=int, help="also search this guild's approved submissions")
    p.add_argument(
        "--mode",
        choices=("hybrid", "lexical", "dense"),
        default="hybrid",
        help="search legs to use (default hybrid)",
    )
    p.set_defaults(handler=_ask)

    asked = sub.add_parser(
        "asked",
        help="what a server taught /ask, as files (like the moderators' /asked)",
        description="What a server's curators taught /ask (/asked gaps), as files to reuse.",
    )
    exports = asked.add_subparsers(dest="export", metavar="COMMAND", required=True)
    taught = exports.add_parser(
        "export-taught",
        help="the server's taught phrasings, in the curated files' format",
        description="The phrasings a server's curators taught /ask, as [[quotes]] id/asks.",
    )
    taught.add_argument("--guild", type=int, required=True, help="the server's id")
    evaluation = exports.add_parser(
        "eval",
        help="the server's answered questions, as a question file (tests/data/questions.toml)",
        description="Taught, rated and out-of-scope questions as an evaluation question file.",
    )
    evaluation.add_argument("--from-server", type=int, required=True, help="the server's id")
    for p in (taught, evaluation):
        p.add_argument("--out", type=Path, help="write this file (default: print)")
        p.set_defaults(handler=_export)


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.prepare import prepare_database

    guild_id = args.guild if args.export == "export-taught" else args.from_server
    db = await prepare_database(settings)
    try:
        taught = await gaps_store.taught(db, guild_id)
        if args.export == "export-taught":
            text, count = gaps_export.taught_toml(guild_id, taught), len(taught)
        else:
            questions = gaps_export.eval_questions(
                [(q, quote_id) for quote_id, q in taught],
                await gaps_store.rated_answers(db, guild_id),
                await gaps_store.out_of_scope(db, guild_id),
            )
            text, count = gaps_export.eval_toml(guild_id, questions), len(questions)
    finally:
        await db.close()
    if args.out is None:
        print(text, end="")
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"herbot asked {args.export}: wrote {count} to {args.out}")
    return 0


async def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.prepare import prepare_database

    question = " ".join(args.question.split())
    if not 3 <= len(question) <= 300:
        print("herbot ask: the question must be 3 to 300 characters")
        return 2
    if not searchable(question):
        print("herbot ask: the question has no words to search for; ask with words")
        return 2
    if not 1 <= args.limit <= 25:
        print("herbot ask: --limit must be between 1 and 25")
        return 2
    db = await prepare_database(settings)  # migrated and seeded, as the bot opens it
    try:
        retriever = Retriever(db, loader=one_shot_model)
        if args.mode != "lexical":
            await retriever.start()  # logs one warning and goes lexical without the model
        answer = await ask(retriever, question, args.guild, limit=args.limit, mode=args.mode)
    finally:
        await db.close()
    if args.json:
        print(json.dumps(answer.as_json(), ensure_ascii=False, indent=2))
    else:
        print(render(answer))
    return 0


def _block(marker: str, result: Result) -> str:
    text = "".join(f"[{p}]" if hit else p for p, hit in result.segments)
    body = textwrap.fill(text, 88, initial_indent="   ", subsequent_indent="   ")
    return f"{marker} {result.passage.plain_citation} ({result.passage.id})\n{body}"


def render(answer: Answer) -> str:
    """Plain text: ranked passages, answer terms in [brackets], each with its citation."""
    if answer.declined:
        lines = [f"Nothing in the quote store answers: {answer.question}"]
        if answer.unknown:
            lines.append(f"It never mentions {', '.join(answer.unknown)}.")
        if answer.passing:
            lines.append(f"It mentions {', '.join(answer.passing)} only in passing.")
        if answer.suggestions:
            lines.append("Related quotes (not an answer):")
            lines += [_block("-", r) for r in answer.suggestions]
        return "\n".join(lines)
    blocks = [_block(f"{i}.", r) for i, r in enumerate(answer.results, start=1)]
    if answer.premise:
        blocks.insert(0, answer.premise)
    return "\n\n".join([*blocks, f"({answer.mode} search, {answer.total} relevant passages)"])
