"""CSV transcripts: one row per message version, deletion, redaction or thread event.

Spreadsheets run a cell that starts with ``= + - @`` (or a tab or carriage return) as a
formula, so a member could plant ``=HYPERLINK(...)`` in a transcript a moderator opens.
Every text cell starting with one of those gets a leading ``'`` (OWASP's advice): the
spreadsheet shows the text, runs nothing. Ids and times are never prefixed.
"""

from __future__ import annotations

import csv
import io

from cogs.threads.transcripts.exporters import Entry, Event, Header
from cogs.threads.transcripts.exporters.parts import (
    embed_lines,
    forwarded_lines,
    poll_lines,
    reactions_text,
    sticker_text,
)

COLUMNS = (
    "kind",
    "message_id",
    "version",
    "created_at",
    "edited_at",
    "author_id",
    "author_name",
    "reply_to",
    "content",
    "attachments",
    "embeds",
    "deleted_at",
    # herbot.transcript/2: what a message holds beyond its text, as readable text.
    "message_kind",
    "reply_quote",
    "forwarded",
    "poll",
    "components",
    "stickers",
    "reactions",
)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A text cell a spreadsheet would evaluate gets a ``'`` in front."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _rows_text(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return buffer.getvalue()


class CsvRenderer:
    def begin(self, header: Header) -> str:
        return _rows_text([list(COLUMNS)])

    def entry(self, entry: Entry, first: bool) -> str:
        attachments = "; ".join(
            f"{a.filename} ({a.size} B, {a.content_type or 'unknown'})"
            + (f" {a.url}" if a.url else "")
            + (f" saved:sha256:{entry.saved[i].sha256}" if i in entry.saved else "")
            for i, a in enumerate(entry.attachments)
        )
        embeds = "\n".join(line for e in entry.embeds for line in embed_lines(e))
        holds = [
            entry.kind,
            entry.reply_content or "",
            "\n".join(forwarded_lines(entry.forwarded)) if entry.forwarded else "",
            "\n".join(poll_lines(entry.poll)) if entry.poll else "",
            entry.components or "",
            "; ".join(sticker_text(s) for s in entry.stickers),
            reactions_text(entry.reactions),
        ]
        author_id = "" if entry.redacted else entry.author_id  # opted out: not identified
        base = [entry.message_id, entry.created_at, author_id, entry.author_name]
        reply = entry.reply_to or ""
        if entry.deleted_at or entry.redacted:
            kind = "deleted" if entry.deleted_at else "redacted"
            return _rows_text(
                [
                    [
                        kind,
                        base[0],
                        "",
                        base[1],
                        "",
                        base[2],
                        base[3],
                        reply,
                        "",
                        "",
                        "",
                        entry.deleted_at or "",
                        entry.kind,
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                ]
            )
        rows = []
        for v in entry.versions:
            kind = "message" if v.version == 1 else "edit"
            rows.append(
                [
                    kind,
                    base[0],
                    v.version,
                    base[1],
                    v.edited_at or "",
                    base[2],
                    base[3],
                    reply,
                    v.content,
                    attachments,
                    embeds,
                    "",
                    *holds,
                ]
            )
        return _rows_text(rows)

    def event(self, event: Event, first: bool) -> str:
        return _rows_text(
            [
                [
                    f"event:{event.kind}",
                    "",
                    "",
                    event.at,
                    "",
                    event.actor_id or "",
                    "",
                    "",
                    event.detail,
                    "",
                    "",
                    "",
                    *[""] * 7,
                ]
            ]
        )

    def end(self, header: Header) -> str:
        return ""
