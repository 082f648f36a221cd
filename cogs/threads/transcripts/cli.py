"""``herbot transcript export``: the same streamed exporters as /transcript export."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings


def _when(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO date/time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcript", help="recorded threads: export transcripts")
    tsub = p.add_subparsers(dest="transcript_command", required=True, metavar="ACTION")
    e = tsub.add_parser("export", help="export one recorded thread or channel to a file")
    e.add_argument("thread_id", type=int, metavar="THREAD_ID", help="the thread or channel id")
    e.add_argument("--format", choices=("md", "html", "json", "csv"), default="md")
    e.add_argument("--from", dest="start", type=_when, help="only messages from (ISO, UTC)")
    e.add_argument("--to", dest="end", type=_when, help="only messages before (ISO, UTC)")
    e.add_argument(
        "-o", "--output", type=Path, help="output file (default transcript-<id>.<format>)"
    )
    e.set_defaults(handler=_export)


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    import shutil
    import tempfile

    from bot.db import database
    from cogs.threads.transcripts.exporters import NotRecorded, export_transcript

    if args.start and args.end and args.start >= args.end:
        print("herbot: --from must be before --to", file=sys.stderr)
        return 2
    async with database(settings.database):  # migrate an older database first
        pass
    output: Path = args.output or Path(f"transcript-{args.thread_id}.{args.format}")
    with tempfile.TemporaryDirectory(prefix="herbot-export-") as tmp:
        try:
            paths = export_transcript(
                settings.database,
                args.thread_id,
                args.format,
                Path(tmp),
                start=args.start,
                end=args.end,
                max_bytes=1 << 62,  # one file on disk; splitting is for Discord uploads
                stem="transcript",
            )
        except NotRecorded:
            print(f"herbot: {args.thread_id} was never recorded", file=sys.stderr)
            return 1
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(paths[0], output)
    here = " (the current directory: -o PATH writes elsewhere)" if args.output is None else ""
    print(f"wrote {await asyncio.to_thread(output.resolve)}{here}")
    return 0
