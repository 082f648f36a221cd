"""The quote store: plain SQL over the ``quotes`` table (no discord import).

Visibility (:data:`VISIBLE`, the one rule, also used by /ask's retrieval): curated quotes
(``guild_id`` NULL) are shown in every guild; a guild's approved submissions only in that
guild. Reviews and edits are single guarded UPDATEs (``WHERE status = 'pending'`` and so
on), so two moderators clicking at once cannot both win.

Readers take a :class:`~bot.db.Reader` (the database or a transaction); writers take the
:class:`~bot.db.Transaction` they run in and never commit. Other features use this store
only through :mod:`cogs.quotes.service`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot import privacy
from bot.db import IntegrityError, Reader, Transaction
from bot.fts import match_query, ts_query
from cogs.quotes import curated as cur
from cogs.quotes.quote import StoredQuote, join_tags, split_tags

__all__ = ["StoredQuote", "join_tags", "split_tags"]  # re-exported: the one quote model

AUTOCOMPLETE_LIMIT = 25
STATUSES = ("approved", "pending", "rejected", "removed")
JSON_FORMAT = "herbot-quotes"
JSON_VERSION = 1


class AlreadySaved(Exception):
    """That message is already pending or approved as a quote."""

    def __init__(self, quote_id: str | None) -> None:
        super().__init__(quote_id)
        self.quote_id = quote_id


@dataclass(frozen=True, slots=True)
class Submission:
    text: str
    speaker: str
    guild_id: int
    submitted_by: int | None  # None: nominated by reactions (cogs.quotes.nominations)
    origin: str = "submitted"  # 'submitted' (modal), 'message' (context menu), 'transcript'
    source_id: str = "discord"
    locator: str = ""
    author_id: int | None = None
    message_link: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    # When the author wrote the words (the message's time): a member forgotten since then
    # is not quoted (bot/privacy.py). None with an author: taken as before any forget.
    written_at: datetime | None = None


# Every column of the one quote model (cogs.quotes.quote.StoredQuote), store and /ask alike.
SELECT = """
SELECT q.rowid AS rowid, q.id, q.text, q.speaker, q.source_id, q.locator, q.kind, q.tags,
       q.note, q.status, q.origin, q.guild_id, q.submitted_by, q.author_id, q.message_link,
       q.edited_by, q.reviewed_by, q.created_at,
       s.kind AS source_kind, s.title AS source_title, s.year AS source_year,
       s.director AS source_director, s.publication AS source_publication,
       s.author AS source_author, s.url AS source_url
FROM quotes AS q JOIN quote_sources AS s ON s.id = q.source_id
"""
# What a guild may see: the curated store (guild_id NULL) and its own rows; VISIBLE adds
# "approved". Both take the guild as the named parameter :guild (None: the curated store only).
IN_GUILD = "(q.guild_id IS NULL OR q.guild_id = :guild)"
VISIBLE = f"q.status = 'approved' AND {IN_GUILD}"


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _fetch(db: Reader, sql: str, params: Any = ()) -> list[StoredQuote]:
    return [StoredQuote.from_row(r) for r in await db.fetchall(sql, params)]


# -- reading ---------------------------------------------------------------------------------


async def get(
    db: Reader, quote_id: str, guild_id: int | None, *, any_status: bool = False
) -> StoredQuote | None:
    """The quote if ``guild_id`` may see it (any status with ``any_status``)."""
    where = IN_GUILD if any_status else VISIBLE
    rows = await _fetch(
        db, f"{SELECT} WHERE q.id = :id AND {where}", {"id": quote_id, "guild": guild_id}
    )
    return rows[0] if rows else None


async def random_quote(
    db: Reader,
    guild_id: int | None,
    *,
    speaker: str | None = None,
    source: str | None = None,
    tag: str | None = None,
) -> StoredQuote | None:
    clauses = [VISIBLE]
    params: dict[str, Any] = {"guild": guild_id}
    if speaker:
        clauses.append("lower(q.speaker) LIKE lower(:speaker) ESCAPE '\\'")
        params["speaker"] = f"%{_like(speaker.strip())}%"
    if source:
        clauses.append(
            "(q.source_id = :source OR lower(s.title) LIKE lower(:source_like) ESCAPE '\\')"
        )
        params["source"] = source.strip()
        params["source_like"] = f"%{_like(source.strip())}%"
    if tag:
        clauses.append("(',' || q.tags || ',') LIKE :tag ESCAPE '\\'")
        params["tag"] = f"%,{_like(tag.strip().lower())},%"
    rows = await _fetch(
        db, f"{SELECT} WHERE {' AND '.join(clauses)} ORDER BY random() LIMIT 1", params
    )
    return rows[0] if rows else None


async def search(
    db: Reader,
    guild_id: int | None,
    text: str,
    *,
    limit: int = AUTOCOMPLETE_LIMIT,
    statuses: Sequence[str] = ("approved",),
) -> list[StoredQuote]:
    """Quotes for what the user typed so far: id prefix matches first, then full text.

    The last word is a prefix (autocomplete as you type); the result is at most ``limit``
    rows, each query bounded by ``LIMIT`` in SQL.
    """
    limit = max(1, min(limit, AUTOCOMPLETE_LIMIT))
    status_sql = ", ".join(f"'{s}'" for s in statuses if s in STATUSES)
    where = f"q.status IN ({status_sql}) AND {IN_GUILD}"
    typed = text.strip()
    params: dict[str, Any] = {"guild": guild_id, "limit": limit}
    if not typed:
        return await _fetch(
            db, f"{SELECT} WHERE {where} ORDER BY q.rowid DESC LIMIT :limit", params
        )
    found: dict[str, StoredQuote] = {}
    if cur.ID_PATTERN.fullmatch(typed.lower().rstrip("-")):
        # An id prefix as a range on the primary key (an index search, not a scan).
        low = typed.lower()
        for q in await _fetch(
            db,
            f"{SELECT} WHERE q.id >= :low AND q.id < :high AND {where} ORDER BY q.id LIMIT :limit",
            params | {"low": low, "high": low + "\uffff"},
        ):
            found[q.id] = q
    if db.dialect == "sqlite":
        sql = (
            f"{SELECT} JOIN quotes_ac f ON f.rowid = q.rowid "
            f"WHERE quotes_ac MATCH :match AND {where} ORDER BY bm25(quotes_ac) LIMIT :limit"
        )
        build = match_query
    else:  # PostgreSQL: the generated ``ac`` tsvector (words as written, GIN index)
        sql = (
            f"{SELECT} WHERE q.ac @@ to_tsquery('simple', :match) AND {where} "
            "ORDER BY ts_rank(q.ac, to_tsquery('simple', :match)) DESC, q.rowid LIMIT :limit"
        )
        build = ts_query
    # Every typed word first (narrows as the user types); any word only if that finds nothing.
    for operator in ("AND", "OR"):
        query = build(typed, prefix_last=True, operator=operator)
        if not query or len(found) >= limit:
            break
        for q in await _fetch(db, sql, params | {"match": query}):
            found.setdefault(q.id, q)
        if found:
            break
    return list(found.values())[:limit]


async def speakers(db: Reader, guild_id: int | None, typed: str) -> list[str]:
    async with db.execute(
        f"SELECT q.speaker, count(*) AS n FROM quotes q WHERE {VISIBLE} "
        "AND lower(q.speaker) LIKE lower(:typed) ESCAPE '\\' GROUP BY q.speaker "
        "ORDER BY n DESC, q.speaker LIMIT :limit",
        {"guild": guild_id, "typed": f"%{_like(typed.strip())}%", "limit": AUTOCOMPLETE_LIMIT},
    ) as c:
        return [r[0] for r in await c.fetchall()]


async def sources(db: Reader, typed: str = "") -> list[tuple[str, str]]:
    """(id, title) of sources whose id or title contains ``typed``."""
    like = f"%{_like(typed.strip())}%"
    async with db.execute(
        "SELECT id, title FROM quote_sources WHERE lower(id) LIKE lower(:l) ESCAPE '\\' "
        "OR lower(title) LIKE lower(:l) ESCAPE '\\' ORDER BY kind, title LIMIT :limit",
        {"l": like, "limit": AUTOCOMPLETE_LIMIT},
    ) as c:
        return [(r[0], r[1]) for r in await c.fetchall()]


async def source_exists(db: Reader, source_id: str) -> bool:
    async with db.execute("SELECT 1 FROM quote_sources WHERE id = ?", (source_id,)) as c:
        return await c.fetchone() is not None


async def source_title(db: Reader, source_id: str) -> str | None:
    """The title of a source by its exact id (None: no such source)."""
    async with db.execute("SELECT title FROM quote_sources WHERE id = ?", (source_id,)) as c:
        row = await c.fetchone()
    return row[0] if row else None


async def tags(db: Reader, guild_id: int | None, typed: str) -> list[str]:
    async with db.execute(f"SELECT q.tags FROM quotes q WHERE {VISIBLE}", {"guild": guild_id}) as c:
        counts: dict[str, int] = {}
        for (value,) in await c.fetchall():
            for t in split_tags(value):
                counts[t] = counts.get(t, 0) + 1
    typed = typed.strip().lower()
    ranked = sorted((t for t in counts if typed in t), key=lambda t: (-counts[t], t))
    return ranked[:AUTOCOMPLETE_LIMIT]


async def pending(db: Reader, guild_id: int, limit: int = 5) -> list[StoredQuote]:
    """The oldest pending submissions of a guild."""
    return await _fetch(
        db,
        f"{SELECT} WHERE q.status = 'pending' AND q.guild_id = :guild "
        "ORDER BY q.created_at, q.rowid LIMIT :limit",
        {"guild": guild_id, "limit": limit},
    )


async def count_pending(db: Reader, guild_id: int) -> int:
    async with db.execute(
        "SELECT count(*) FROM quotes WHERE status = 'pending' AND guild_id = ?", (guild_id,)
    ) as c:
        row = await c.fetchone()
    return int(row[0]) if row else 0


async def count_visible(db: Reader, guild_id: int | None) -> int:
    async with db.execute(
        f"SELECT count(*) FROM quotes q WHERE {VISIBLE}", {"guild": guild_id}
    ) as c:
        row = await c.fetchone()
    return int(row[0]) if row else 0


# -- submissions and reviews -------------------------------------------------------------------


async def submit_pending(tx: Transaction, submission: Submission) -> str:
    """Put a submission in the pending queue; returns its new id.

    Raises :class:`AlreadySaved` when the same message (``message_link``) is already
    pending or approved in that guild; nothing is written then and ``tx`` goes on.
    Raises :class:`bot.privacy.Withheld` when the author opted out of quotes or asked to be
    forgotten after writing the words (read in ``tx``: an opt-out or a forget committed a
    moment ago in any process holds); nothing is written then either.
    """
    if submission.author_id is not None:
        await privacy.check_words(tx, "quote", submission.author_id, submission.written_at)
    while True:
        quote_id = f"sub-{secrets.token_hex(3)}"
        # No conflict target: a clash on the id or on the one-quote-per-message index both
        # write nothing, and the transaction stays usable (no failed statement to undo).
        cur_ = await tx.execute(
            "INSERT INTO quotes (id, text, speaker, source_id, locator, kind, tags, "
            "note, status, origin, guild_id, submitted_by, author_id, message_link) "
            "VALUES (?, ?, ?, ?, ?, 'submission', ?, ?, 'pending', ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (
                quote_id,
                submission.text,
                submission.speaker,
                submission.source_id,
                submission.locator,
                join_tags(submission.tags),
                submission.note,
                submission.origin,
                submission.guild_id,
                submission.submitted_by,
                submission.author_id,
                submission.message_link,
            ),
        )
        if cur_.rowcount:
            return quote_id
        if submission.message_link is not None:
            saved = await saved_message(tx, submission.guild_id, submission.message_link)
            if saved is not None:
                raise AlreadySaved(saved)
        # the primary key refused a (rare) clash: draw another id


async def saved_message(db: Reader, guild_id: int, link: str) -> str | None:
    return await db.fetchval(
        "SELECT id FROM quotes WHERE guild_id = ? AND message_link = ? "
        "AND status IN ('pending', 'approved')",
        (guild_id, link),
    )


async def withdraw_pending_of_author(tx: Transaction, user_id: int) -> int:
    """On opt-out: delete pending quotes of the member's own messages."""
    cur_ = await tx.execute(
        "DELETE FROM quotes WHERE status = 'pending' AND author_id = ?", (user_id,)
    )
    return cur_.rowcount


# -- privacy: what forget-me removes, what /privacy status counts ----------------------------


@dataclass(frozen=True, slots=True)
class Forgotten:
    words: int  # quotes of the member's own words (any status) deleted
    submissions: int  # the member's pending submissions deleted
    anonymised: int  # other rows the member submitted, edited or reviewed: ids removed
    # (text, locator, tags) of the deleted rows: what /ask embedded, to drop their vectors
    embedded: tuple[tuple[str, str, str], ...]


async def forget_member(tx: Transaction, user_id: int) -> Forgotten:
    """Delete every quote of the member's words and their pending submissions; anonymise
    the rest of what names them (submitted_by, edited_by, reviewed_by become NULL).

    A moderator's edit stays protected from a curated re-import after the moderator is
    forgotten: imports look at ``edited_at``, which is kept.
    """
    rows = await tx.fetchall(
        "SELECT text, locator, tags FROM quotes WHERE author_id = :u "
        "OR (submitted_by = :u AND status = 'pending')",
        {"u": user_id},
    )
    words = await tx.execute("DELETE FROM quotes WHERE author_id = ?", (user_id,))
    pending_ = await tx.execute(
        "DELETE FROM quotes WHERE submitted_by = ? AND status = 'pending'", (user_id,)
    )
    anonymised = await tx.execute(
        "UPDATE quotes SET "
        "submitted_by = CASE WHEN submitted_by = :u THEN NULL ELSE submitted_by END, "
        "edited_by = CASE WHEN edited_by = :u THEN NULL ELSE edited_by END, "
        "reviewed_by = CASE WHEN reviewed_by = :u THEN NULL ELSE reviewed_by END "
        "WHERE submitted_by = :u OR edited_by = :u OR reviewed_by = :u",
        {"u": user_id},
    )
    return Forgotten(
        words.rowcount,
        pending_.rowcount,
        anonymised.rowcount,
        tuple((r["text"], r["locator"], r["tags"]) for r in rows),
    )


async def forget_vectors(tx: Transaction, content_hashes: Iterable[str]) -> int:
    """Drop /ask's cached vectors of these texts (they are derived from a member's words)."""
    hashes = list(dict.fromkeys(content_hashes))
    removed = 0
    for start in range(0, len(hashes), 500):
        batch = hashes[start : start + 500]
        marks = ",".join("?" * len(batch))
        cur_ = await tx.execute(f"DELETE FROM ask_vectors WHERE content_hash IN ({marks})", batch)
        removed += cur_.rowcount
    return removed


async def member_counts(db: Reader, user_id: int) -> tuple[int, int, int]:
    """What :func:`forget_member` would do now, each row counted once: (quotes of the
    member's words, their other pending submissions, other quotes naming them as submitter,
    editor or reviewer), any status."""
    theirs = "COALESCE(author_id, 0) <> :u"
    pending = "submitted_by = :u AND status = 'pending'"
    row = await db.fetchone(
        "SELECT (SELECT count(*) FROM quotes WHERE author_id = :u), "
        f"(SELECT count(*) FROM quotes WHERE {theirs} AND {pending}), "
        f"(SELECT count(*) FROM quotes WHERE {theirs} AND NOT ({pending}) "
        " AND (submitted_by = :u OR edited_by = :u OR reviewed_by = :u))",
        {"u": user_id},
    )
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


async def _review(
    tx: Transaction, quote_id: str, guild_id: int, moderator_id: int, status: str
) -> bool:
    now = _now_sql()
    cur_ = await tx.execute(
        "UPDATE quotes SET status = ?, reviewed_by = ?, reviewed_at = ?, updated_at = ? "
        "WHERE id = ? AND guild_id = ? AND status = 'pending'",
        (status, moderator_id, now, now, quote_id, guild_id),
    )
    return cur_.rowcount > 0


async def approve(tx: Transaction, quote_id: str, guild_id: int, moderator_id: int) -> bool:
    """Approve a pending submission; False if it was already reviewed (or is not here)."""
    return await _review(tx, quote_id, guild_id, moderator_id, "approved")


async def reject(tx: Transaction, quote_id: str, guild_id: int, moderator_id: int) -> bool:
    return await _review(tx, quote_id, guild_id, moderator_id, "rejected")


async def edit(
    tx: Transaction,
    quote_id: str,
    guild_id: int,
    moderator_id: int,
    *,
    text: str | None = None,
    speaker: str | None = None,
    locator: str | None = None,
    tags: Iterable[str] | None = None,
    when: str | None = None,
) -> bool:
    """A moderator's edit; marks the row (``edited_at``) so a curated re-import keeps it."""
    sets = ["edited_by = :mod", "edited_at = :when", "updated_at = :when"]
    params: dict[str, Any] = {
        "id": quote_id,
        "guild": guild_id,
        "mod": moderator_id,
        "when": when or _now_sql(),
    }
    for name, value in (("text", text), ("speaker", speaker), ("locator", locator)):
        if value is not None:
            sets.append(f"{name} = :{name}")
            params[name] = value.strip()
    if tags is not None:
        sets.append("tags = :tags")
        params["tags"] = join_tags(tags)
    cur_ = await tx.execute(
        f"UPDATE quotes SET {', '.join(sets)} WHERE id = :id "
        "AND (guild_id IS NULL OR guild_id = :guild) AND status IN ('approved', 'pending')",
        params,
    )
    return cur_.rowcount > 0


async def remove(tx: Transaction, quote_id: str, guild_id: int, moderator_id: int) -> bool:
    """Hide an approved quote; a removed curated quote stays removed on re-import."""
    now = _now_sql()
    cur_ = await tx.execute(
        "UPDATE quotes SET status = 'removed', edited_by = ?, edited_at = ?, updated_at = ? "
        "WHERE id = ? AND (guild_id IS NULL OR guild_id = ?) AND status = 'approved'",
        (moderator_id, now, now, quote_id, guild_id),
    )
    return cur_.rowcount > 0


def _now_sql() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# -- curated import / export ----------------------------------------------------------------


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
    now = _now_sql()
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


# -- JSON import / export (a guild's store, moderators' backup) ------------------------------

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
    quotes = await _fetch(db, f"{SELECT} WHERE {where} ORDER BY q.rowid", {"guild": guild_id})
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
                row | {"now": _now_sql()},
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
