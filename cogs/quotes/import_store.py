"""Imports and exports of the quote store: the curated files, and a guild's JSON backup.

An import never overwrites a moderator's edit or removal; a JSON import is all or nothing
(the caller's transaction rolls back on any problem). Writers take the
:class:`~bot.db.Transaction` they run in and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.db import IntegrityError, Reader, Transaction
from cogs.quotes import curated as cur
from cogs.quotes.quote import join_tags, split_tags
from cogs.quotes.quote_store import IN_GUILD, SELECT, STATUSES, fetch_quotes, now_sql

JSON_FORMAT = "herbot-quotes"


JSON_VERSION = 1


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edited: int = 0
    kept_removed: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.added} added",
            f"{self.updated} updated",
            f"{self.unchanged} unchanged",
            f"{self.kept_edited} kept (edited by a moderator)",
        ]
        if self.kept_removed:
            parts.append(f"{self.kept_removed} kept removed")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return ", ".join(parts)


_CURATED_FIELDS = ("text", "speaker", "source_id", "locator", "kind", "tags", "note")


async def import_curated(tx: Transaction, store: cur.Curated) -> ImportReport:
    """Upsert the curated files by id; never overwrite a moderator's edit or removal.

    A moderator's edit is known by ``edited_at`` (``edited_by`` is cleared when that
    moderator is forgotten; the edit still stands).
    """
    report = ImportReport()
    quotes = store.valid_quotes()
    report.skipped = len(store.quotes) - len(quotes)
    existing: dict[str, dict[str, Any]] = {}
    for row in await tx.fetchall(
        "SELECT id, text, speaker, source_id, locator, kind, tags, note, status, origin, "
        "edited_at FROM quotes WHERE guild_id IS NULL"
    ):
        existing[row["id"]] = dict(row)
    rows = []
    now = now_sql()
    for q in quotes:
        values = {
            "id": q.id,
            "text": q.text,
            "speaker": q.speaker,
            "source_id": q.source,
            "locator": q.locator,
            "kind": q.kind,
            "tags": join_tags(q.tags),
            "note": q.note,
        }
        old = existing.get(q.id)
        if old is None:
            report.added += 1
        elif old["status"] == "removed":
            report.kept_removed += 1
        elif old["edited_at"] is not None:
            report.kept_edited += 1
        elif all(old[k] == values[k] for k in _CURATED_FIELDS):
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        rows.append(values)
    await tx.executemany(
        "INSERT INTO quote_sources (id, kind, title, year, director, publication, author, "
        "url, file, note) VALUES (:id, :kind, :title, :year, :director, :publication, "
        ":author, :url, :file, :note) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
        "title = excluded.title, year = excluded.year, director = excluded.director, "
        "publication = excluded.publication, author = excluded.author, url = excluded.url, "
        "file = excluded.file, note = excluded.note",
        [{k: getattr(s, k) for k in cur.SOURCE_KEYS} for s in store.sources.values()],
    )
    # The WHERE keeps moderators' edits and removals, and rows another guild owns.
    await tx.executemany(
        "INSERT INTO quotes (id, text, speaker, source_id, locator, kind, tags, note, "
        "status, origin, guild_id) VALUES (:id, :text, :speaker, :source_id, :locator, "
        ":kind, :tags, :note, 'approved', 'curated', NULL) "
        "ON CONFLICT (id) DO UPDATE SET text = excluded.text, speaker = excluded.speaker, "
        "source_id = excluded.source_id, locator = excluded.locator, kind = excluded.kind, "
        "tags = excluded.tags, note = excluded.note, "
        "updated_at = :now "
        "WHERE quotes.edited_at IS NULL AND quotes.guild_id IS NULL "
        "AND quotes.status <> 'removed'",
        [row | {"now": now} for row in rows],
    )
    report.problems = [str(p) for p in store.problems]
    return report


async def has_curated(db: Reader) -> bool:
    async with db.execute("SELECT 1 FROM quotes WHERE origin = 'curated' LIMIT 1") as c:
        return await c.fetchone() is not None


async def export_curated(db: Reader) -> tuple[list[cur.Source], list[cur.Quote]]:
    """The curated store as it is now (moderators' edits included, removed quotes left out)."""
    async with db.execute(
        "SELECT * FROM quote_sources WHERE kind <> 'discord' ORDER BY rowid"
    ) as c:
        source_rows = [dict(r) for r in await c.fetchall()]
    srcs = [cur.Source(**{k: r[k] for k in cur.SOURCE_KEYS}) for r in source_rows]
    async with db.execute(
        "SELECT id, text, speaker, source_id, locator, kind, tags, note FROM quotes "
        "WHERE origin = 'curated' AND guild_id IS NULL AND status = 'approved' ORDER BY rowid"
    ) as c:
        quote_rows = await c.fetchall()
    quotes = [
        cur.Quote(
            id=r["id"],
            text=r["text"],
            speaker=r["speaker"],
            source=r["source_id"],
            locator=r["locator"],
            kind=r["kind"],
            tags=split_tags(r["tags"]),
            note=r["note"],
        )
        for r in quote_rows
    ]
    return srcs, quotes


_JSON_QUOTE_KEYS = (
    "id",
    "text",
    "speaker",
    "source",
    "locator",
    "kind",
    "tags",
    "note",
    "status",
    "origin",
    "guild_id",
    "submitted_by",
    "author_id",
    "message_link",
)


async def export_json(db: Reader, guild_id: int | None) -> dict[str, Any]:
    """The store as ``guild_id`` sees it (curated + that guild's rows, every status)."""
    where = IN_GUILD if guild_id is not None else "TRUE"
    quotes = await fetch_quotes(db, f"{SELECT} WHERE {where} ORDER BY q.rowid", {"guild": guild_id})
    async with db.execute("SELECT * FROM quote_sources ORDER BY rowid") as c:
        source_rows = [dict(r) for r in await c.fetchall()]
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "guild_id": guild_id,
        "sources": [{k: v for k, v in r.items() if v is not None} for r in source_rows],
        "quotes": [
            {
                "id": q.id,
                "text": q.text,
                "speaker": q.speaker,
                "source": q.source_id,
                "locator": q.locator,
                "kind": q.kind,
                "tags": list(q.tags),
                "note": q.note,
                "status": q.status,
                "origin": q.origin,
                "guild_id": q.guild_id,
                "submitted_by": q.submitted_by,
                "author_id": q.author_id,
                "message_link": q.message_link,
            }
            for q in quotes
        ],
    }


def _opt_int(value: Any) -> bool:
    """None or an integer SQLite can hold (a larger one raises OverflowError on insert)."""
    return value is None or (
        isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    )


def validate_json(data: Any, *, max_text: int = cur.DEFAULT_MAX_TEXT) -> list[str]:
    """Every problem of a JSON import file (empty: it can be imported)."""
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        return [f'not a herbot quotes file (expected "format": "{JSON_FORMAT}")']
    if data.get("version") != JSON_VERSION:
        return [f"unsupported version {data.get('version')!r} (expected {JSON_VERSION})"]
    problems: list[str] = []
    quotes = data.get("quotes")
    if not isinstance(quotes, list):
        return ['"quotes" must be a list']
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(
        isinstance(s, dict) and isinstance(s.get("id"), str) for s in sources
    ):
        problems.append('"sources" must be a list of objects with an "id"')
        sources = []
    for s in sources:
        if s.get("kind") not in ("film", "article", "discord") or not s.get("title"):
            problems.append(f"source {s.get('id')}: needs kind (film/article) and a title")
        if not _opt_int(s.get("year")):
            problems.append(f"source {s.get('id')}: year must be a number or null")
        for key in cur.SOURCE_KEYS:
            if key != "year" and not isinstance(s.get(key), str | None):
                problems.append(f"source {s.get('id')}: {key} must be text or null")
    seen: set[str] = set()
    for n, q in enumerate(quotes, 1):
        if not isinstance(q, dict):
            problems.append(f"quote #{n}: must be an object")
            continue
        table = dict(q)
        kind = table.get("kind", "excerpt")
        if kind == "submission":
            table["kind"] = "excerpt"  # parse_quote knows the curated kinds only
        quote, found = cur.parse_quote(table, f"#{n}", max_text=max_text)
        where = quote.id if quote else f"#{n}"
        found = [(w, m) for w, m in found if m != "empty locator"]  # members may leave it out
        problems.extend(f"quote {w}: {m}" for w, m in found)
        if quote is None:
            continue
        if quote.id in seen:
            problems.append(f"quote {where}: duplicate id")
        seen.add(quote.id)
        if table.get("status", "approved") not in STATUSES:
            problems.append(f"quote {where}: status must be one of {STATUSES}")
        for key in ("guild_id", "submitted_by", "author_id"):
            if not _opt_int(table.get(key)):
                problems.append(f"quote {where}: {key} must be a number or null")
        for key in ("message_link", "locator", "kind", "origin"):
            value = table.get(key)
            if value is not None and not isinstance(value, str):
                problems.append(f"quote {where}: {key} must be text or null")
    return problems


async def import_json(
    tx: Transaction,
    data: object,  # a parsed JSON file: anything but an export's shape is refused
    guild_id: int,
    *,
    max_text: int = cur.DEFAULT_MAX_TEXT,
) -> ImportReport:
    """Import a file made by :func:`export_json` into ``guild_id``, all or nothing.

    Curated rows in the file are skipped (they come from herbot_config/quotes/); the guild's rows
    are upserted by id, except rows a moderator edited since and ids another guild owns.
    Raises ValueError listing the problems if the file is invalid or the database refuses
    a row; the caller's transaction then rolls back, so nothing of the file is kept.
    """
    problems = validate_json(data, max_text=max_text)
    if not isinstance(data, dict) or not isinstance(data.get("quotes"), list):
        raise ValueError(problems)  # not even the shape of an export: nothing more to check
    known = {r["id"] for r in await tx.fetchall("SELECT id FROM quote_sources")}
    listed = data.get("sources", [])
    file_sources = {
        s["id"]: s
        for s in (listed if isinstance(listed, list) else [])
        if isinstance(s, dict) and isinstance(s.get("id"), str) and s["id"] not in known
    }
    for q in data["quotes"]:
        source = q.get("source") if isinstance(q, dict) else None
        if isinstance(source, str) and source not in known | set(file_sources):
            problems.append(f"quote {q.get('id')}: unknown source '{source}'")
    if problems:
        raise ValueError(problems)
    report = ImportReport()
    existing = {
        r[0] for r in await tx.fetchall("SELECT id FROM quotes WHERE guild_id = ?", (guild_id,))
    }
    rows = []
    for q in data["quotes"]:
        if q.get("guild_id") is None and q.get("origin", "curated") == "curated":
            report.skipped += 1
            continue
        rows.append(
            {
                "id": q["id"].strip(),
                "text": q["text"].strip(),
                "speaker": q["speaker"].strip(),
                "source_id": q["source"],
                "locator": (q.get("locator") or "").strip(),
                "kind": q.get("kind", "submission"),
                "tags": join_tags(q.get("tags", [])),
                "note": q.get("note") or "",
                "status": q.get("status", "approved"),
                "origin": q.get("origin") or "imported",
                "guild": guild_id,
                "submitted_by": q.get("submitted_by"),
                "author_id": q.get("author_id"),
                "message_link": q.get("message_link"),
            }
        )
    try:
        await tx.executemany(
            "INSERT INTO quote_sources (id, kind, title, year, director, publication, author, "
            "url, file, note) VALUES (:id, :kind, :title, :year, :director, :publication, "
            ":author, :url, :file, :note) ON CONFLICT (id) DO NOTHING",
            [
                {k: s.get(k) for k in cur.SOURCE_KEYS} | {"note": s.get("note") or ""}
                for s in file_sources.values()
            ],
        )
        for row in rows:
            cur_ = await tx.execute(
                "INSERT INTO quotes (id, text, speaker, source_id, locator, kind, tags, note, "
                "status, origin, guild_id, submitted_by, author_id, message_link) VALUES "
                "(:id, :text, :speaker, :source_id, :locator, :kind, :tags, :note, :status, "
                ":origin, :guild, :submitted_by, :author_id, :message_link) "
                "ON CONFLICT (id) DO UPDATE SET text = excluded.text, speaker = excluded.speaker, "
                "source_id = excluded.source_id, locator = excluded.locator, "
                "kind = excluded.kind, tags = excluded.tags, note = excluded.note, "
                "status = excluded.status, updated_at = :now "
                "WHERE quotes.guild_id = excluded.guild_id AND quotes.edited_at IS NULL",
                row | {"now": now_sql()},
            )
            if not cur_.rowcount and row["id"] in existing:
                report.kept_edited += 1  # a moderator edited it here since the export
            elif not cur_.rowcount:
                report.skipped += 1  # the id belongs to another guild's quote
            elif row["id"] in existing:
                report.updated += 1
            else:
                report.added += 1
    except IntegrityError as exc:
        # Raised out of the caller's transaction block: the rows written so far roll back.
        raise ValueError([f"the database refused the file: {exc}"]) from None
    return report
