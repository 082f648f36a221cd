"""Transcript exports, streamed: rows are read with a cursor in chunks and written as they come.

Memory does not grow with the thread: one chunk of rows (``CHUNK``) and one rendered message
are held at a time. Exports run on a plain ``sqlite3`` connection of their own (a WAL reader)
so they can run in a worker thread while the bot keeps recording. Output is split into
parts no bigger than ``max_bytes``, each a complete document of its format (a JSON file
that parses, a CSV with its header, a standalone HTML page).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Protocol, TextIO

from bot.db import sync_reader
from cogs.threads.records import Attachment, attachments_of, snowflake_at, stamp

CHUNK = 1000
FORMATS = ("md", "html", "json", "csv")
EXTENSIONS = {"md": "md", "html": "html", "json": "json", "csv": "csv"}

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Version:
    version: int
    content: str
    edited_at: str | None


@dataclass(slots=True)
class Entry:
    """One recorded message with all its versions (empty when deleted or redacted)."""

    message_id: int
    author_id: int
    author_name: str
    created_at: str
    reply_to: int | None
    reply_author: str | None
    attachments: list[Attachment]
    embed_titles: list[str]
    deleted_at: str | None
    redacted: bool
    versions: list[Version] = field(default_factory=list)
    # Catch-up after downtime: fetched back from the history after a restart, or found
    # missing from it (deleted while herbot was down).
    recovered: bool = False
    deleted_while_down: bool = False

    @property
    def content(self) -> str:
        return self.versions[-1].content if self.versions else ""

    @property
    def edited(self) -> bool:
        return len(self.versions) > 1


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    detail: str
    actor_id: int | None
    at: str


@dataclass(frozen=True, slots=True)
class Header:
    channel_id: int
    guild_id: int
    name: str
    started_at: str
    stopped_at: str | None
    exported_at: str
    range_from: str | None
    range_to: str | None
    total: int
    part: int = 1


class Renderer(Protocol):
    """A format: text for the start and end of a part, and for each message and event."""

    def begin(self, header: Header) -> str: ...
    def entry(self, entry: Entry, first: bool) -> str: ...
    def event(self, event: Event, first: bool) -> str: ...
    def end(self, header: Header) -> str: ...


def renderer_for(fmt: str) -> Renderer:
    if fmt == "md":
        from cogs.threads.transcripts.exporters.markdown import MarkdownRenderer

        return MarkdownRenderer()
    if fmt == "html":
        from cogs.threads.transcripts.exporters.html_page import HtmlRenderer

        return HtmlRenderer()
    if fmt == "json":
        from cogs.threads.transcripts.exporters.json_doc import JsonRenderer

        return JsonRenderer()
    if fmt == "csv":
        from cogs.threads.transcripts.exporters.csv_rows import CsvRenderer

        return CsvRenderer()
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


class NotRecorded(LookupError):
    pass


def open_reader(path: Path | str) -> sqlite3.Connection:
    """A read-only connection for this worker thread (a SQLite file or a PostgreSQL URL)."""
    return sync_reader(path)


def _range_ids(start: datetime | None, end: datetime | None) -> tuple[int, int]:
    low = snowflake_at(start) if start else 0
    high = snowflake_at(end) if end else (1 << 63) - 1
    return low, high


_ENTRY_SQL = (
    "SELECT m.message_id, m.author_id, m.author_name, m.created_at, m.reply_to, "
    "r.author_name, m.attachments, m.embeds, m.deleted_at, m.redacted, "
    "v.version, v.content, v.edited_at, m.recovered, m.deleted_while_down "
    "FROM recorded_messages m "
    "LEFT JOIN recorded_versions v ON v.message_id = m.message_id "
    "LEFT JOIN recorded_messages r ON r.message_id = m.reply_to "
    "WHERE m.channel_id = ? AND m.message_id >= ? AND m.message_id < ? "
    "ORDER BY m.message_id, v.version"
)


def iter_entries(
    conn: sqlite3.Connection,
    channel_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[Entry]:
    """Messages in order, each with its versions; reads ``CHUNK`` rows at a time."""
    low, high = _range_ids(start, end)
    cur = conn.execute(_ENTRY_SQL, (channel_id, low, high))
    current: Entry | None = None
    while rows := cur.fetchmany(CHUNK):
        for row in rows:
            if current is None or current.message_id != row[0]:
                if current is not None:
                    yield current
                current = Entry(
                    message_id=row[0],
                    author_id=row[1],
                    author_name=row[2],
                    created_at=row[3],
                    reply_to=row[4],
                    reply_author=row[5],
                    attachments=attachments_of(row[6]),
                    embed_titles=json.loads(row[7]),
                    deleted_at=row[8],
                    redacted=bool(row[9]),
                    recovered=bool(row[13]),
                    deleted_while_down=bool(row[14]),
                )
            if row[10] is not None:
                current.versions.append(Version(row[10], row[11], row[12]))
    if current is not None:
        yield current


def events_of(
    conn: sqlite3.Connection,
    channel_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Event]:
    """Thread events (few: renames, archive, lock, recording on/off)."""
    rows = conn.execute(
        "SELECT kind, detail, actor_id, at FROM thread_events WHERE channel_id = ? "
        "AND at >= ? AND at < ? ORDER BY at, id",
        (
            channel_id,
            stamp(start) if start else "",
            stamp(end) if end else "~",
        ),
    ).fetchall()
    return [Event(*r) for r in rows]


def header_of(
    conn: sqlite3.Connection,
    channel_id: int,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> Header:
    row = conn.execute(
        "SELECT guild_id, name, started_at, stopped_at FROM thread_recordings WHERE channel_id = ?",
        (channel_id,),
    ).fetchone()
    if row is None:
        raise NotRecorded(channel_id)
    low, high = _range_ids(start, end)
    total = conn.execute(
        "SELECT COUNT(*) FROM recorded_messages WHERE channel_id = ? "
        "AND message_id >= ? AND message_id < ?",
        (channel_id, low, high),
    ).fetchone()[0]
    return Header(
        channel_id=channel_id,
        guild_id=row[0],
        name=row[1],
        started_at=row[2],
        stopped_at=row[3],
        exported_at=stamp(now),
        range_from=stamp(start) if start else None,
        range_to=stamp(end) if end else None,
        total=total,
    )


class _PartWriter:
    """Writes parts no bigger than ``max_bytes``, each a whole document."""

    def __init__(
        self, renderer: Renderer, header: Header, out_dir: Path, stem: str, ext: str, limit: int
    ) -> None:
        self.renderer = renderer
        self.header = header
        self.out_dir = out_dir
        self.stem = stem
        self.ext = ext
        self.limit = limit
        self.paths: list[Path] = []
        self._file: TextIO | None = None
        self._size = 0
        self._items = 0
        self._end_size = 0

    def _open(self) -> None:
        header = _replace_part(self.header, len(self.paths) + 1)
        path = self.out_dir / f"{self.stem}.{self.ext}"
        if self.paths:
            if len(self.paths) == 1:  # the first part gets its number too
                first = self.paths[0]
                numbered = first.with_name(f"{self.stem}.part1.{self.ext}")
                first.rename(numbered)
                self.paths[0] = numbered
            path = self.out_dir / f"{self.stem}.part{len(self.paths) + 1}.{self.ext}"
        self.paths.append(path)
        self._file = path.open("w", encoding="utf-8", newline="")
        self._size = 0
        self._items = 0
        self.header = header
        self._end_size = len(self.renderer.end(header).encode())
        self._write(self.renderer.begin(header))

    def _write(self, text: str) -> None:
        assert self._file is not None
        self._file.write(text)
        self._size += len(text.encode()) if not text.isascii() else len(text)

    def add(self, render: Callable[[bool], str]) -> None:
        if self._file is None:
            self._open()
        text = render(self._items == 0)
        size = len(text.encode())
        if self._items and self._size + size + self._end_size > self.limit:
            self._close()
            self._open()
            text = render(True)
        self._write(text)
        self._items += 1

    def _close(self) -> None:
        if self._file is not None:
            self._write(self.renderer.end(self.header))
            self._file.close()
            self._file = None

    def finish(self) -> list[Path]:
        if self._file is None:
            self._open()
        self._close()
        return self.paths


def _replace_part(header: Header, part: int) -> Header:
    from dataclasses import replace

    return replace(header, part=part)


def export_transcript(
    db_path: Path | str,
    channel_id: int,
    fmt: str,
    out_dir: Path,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    max_bytes: int = 8 * 1024 * 1024,
    progress: Progress | None = None,
    now: datetime | None = None,
    stem: str | None = None,
) -> list[Path]:
    """Export one recorded thread to ``out_dir``; returns the part files written.

    Runs synchronously (call it in a worker thread from async code). ``progress(done,
    total)`` is called about every ``CHUNK`` messages.
    """
    renderer = renderer_for(fmt)
    now = now or datetime.now(UTC)
    conn = open_reader(db_path)
    try:
        header = header_of(conn, channel_id, start, end, now)
        events = events_of(conn, channel_id, start, end)
        writer = _PartWriter(
            renderer,
            header,
            out_dir,
            stem or f"transcript-{channel_id}",
            EXTENSIONS[fmt],
            max_bytes,
        )
        pending = iter(events)
        next_event = next(pending, None)
        done = 0
        for entry in iter_entries(conn, channel_id, start, end):
            while next_event is not None and next_event.at <= entry.created_at:
                event = next_event
                writer.add(partial(renderer.event, event))
                next_event = next(pending, None)
            writer.add(partial(renderer.entry, entry))
            done += 1
            if progress is not None and done % CHUNK == 0:
                progress(done, header.total)
        while next_event is not None:
            event = next_event
            writer.add(partial(renderer.event, event))
            next_event = next(pending, None)
        paths = writer.finish()
        if progress is not None:
            progress(done, header.total)
        return paths
    finally:
        conn.close()


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} MB"
