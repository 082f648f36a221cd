"""Reading the quote store: what a guild may see, searches and suggestions (plain SQL).

Visibility (:data:`VISIBLE`, the one rule, also used by /ask's passages): curated quotes
(``guild_id`` NULL) are shown in every guild; a guild's approved submissions only in that
guild. Readers take a :class:`~bot.db.Reader` (the database or a transaction). The review
queue's SQL is :mod:`cogs.quotes.review_store`, imports and exports :mod:`cogs.quotes.
import_store`; other features use the quote store only through :mod:`cogs.quotes.service`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.db import Reader
from bot.fts import match_query, ts_query
from cogs.quotes import curated as cur
from cogs.quotes.quote import StoredQuote, split_tags

AUTOCOMPLETE_LIMIT = 25


STATUSES = ("approved", "pending", "rejected", "removed")


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


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def fetch_quotes(db: Reader, sql: str, params: Any = ()) -> list[StoredQuote]:
    return [StoredQuote.from_row(r) for r in await db.fetchall(sql, params)]


async def get(
    db: Reader, quote_id: str, guild_id: int | None, *, any_status: bool = False
) -> StoredQuote | None:
    """The quote if ``guild_id`` may see it (any status with ``any_status``)."""
    where = IN_GUILD if any_status else VISIBLE
    rows = await fetch_quotes(
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
        params["speaker"] = f"%{like_escape(speaker.strip())}%"
    if source:
        clauses.append(
            "(q.source_id = :source OR lower(s.title) LIKE lower(:source_like) ESCAPE '\\')"
        )
        params["source"] = source.strip()
        params["source_like"] = f"%{like_escape(source.strip())}%"
    if tag:
        clauses.append("(',' || q.tags || ',') LIKE :tag ESCAPE '\\'")
        params["tag"] = f"%,{like_escape(tag.strip().lower())},%"
    rows = await fetch_quotes(
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
        return await fetch_quotes(
            db, f"{SELECT} WHERE {where} ORDER BY q.rowid DESC LIMIT :limit", params
        )
    found: dict[str, StoredQuote] = {}
    if cur.ID_PATTERN.fullmatch(typed.lower().rstrip("-")):
        # An id prefix as a range on the primary key (an index search, not a scan).
        low = typed.lower()
        for q in await fetch_quotes(
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
        for q in await fetch_quotes(db, sql, params | {"match": query}):
            found.setdefault(q.id, q)
        if found:
            break
    return list(found.values())[:limit]


async def speakers(db: Reader, guild_id: int | None, typed: str) -> list[str]:
    async with db.execute(
        f"SELECT q.speaker, count(*) AS n FROM quotes q WHERE {VISIBLE} "
        "AND lower(q.speaker) LIKE lower(:typed) ESCAPE '\\' GROUP BY q.speaker "
        "ORDER BY n DESC, q.speaker LIMIT :limit",
        {
            "guild": guild_id,
            "typed": f"%{like_escape(typed.strip())}%",
            "limit": AUTOCOMPLETE_LIMIT,
        },
    ) as c:
        return [r[0] for r in await c.fetchall()]


async def sources(db: Reader, typed: str = "") -> list[tuple[str, str]]:
    """(id, title) of sources whose id or title contains ``typed``."""
    like = f"%{like_escape(typed.strip())}%"
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


async def count_visible(db: Reader, guild_id: int | None) -> int:
    async with db.execute(
        f"SELECT count(*) FROM quotes q WHERE {VISIBLE}", {"guild": guild_id}
    ) as c:
        row = await c.fetchone()
    return int(row[0]) if row else 0


def now_sql() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
