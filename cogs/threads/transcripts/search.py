"""Full-text search over recorded message versions: the engine-specific part of the store.

Kept apart from :mod:`cogs.threads.recording.store` as the one engine-specific piece:
SQLite ranks with FTS5's bm25 over ``recorded_versions_fts``; PostgreSQL with ``ts_rank``
over the generated ``recorded_versions.fts`` tsvector (GIN index). Same :class:`Hit`, same
signature.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.db import Reader
from bot.fts import match_query, ts_query


@dataclass(frozen=True, slots=True)
class Hit:
    message_id: int
    channel_id: int
    guild_id: int
    channel_name: str
    author_id: int
    author_name: str
    created_at: str
    content: str  # the best-matching version's text
    version: int  # that version's number (1: as first sent)
    current: str = ""  # the message's text now (its latest version)
    latest: int = 1  # the latest version's number: above ``version``, edited since the match


# Each hit's message as it reads now: its latest version, and that version's number.
_CURRENT = (
    "(SELECT c.content FROM recorded_versions c WHERE c.message_id = m.message_id "
    "ORDER BY c.version DESC LIMIT 1), "
    "(SELECT max(c.version) FROM recorded_versions c WHERE c.message_id = m.message_id)"
)


_FIELDS = tuple(f.name for f in dataclasses.fields(Hit))[:9]  # the columns before ``current``


def _hit(row: tuple) -> Hit:
    return Hit(**dict(zip(_FIELDS, row[:9], strict=True)), current=row[10], latest=int(row[11]))


async def search(
    db: Reader,
    guild_id: int,
    query: str,
    *,
    channel_id: int | None = None,
    author_id: int | None = None,
    limit: int = 10,
) -> list[Hit] | None:
    """Best matches, one per message; None when the query has no searchable word."""
    if db.dialect != "sqlite":
        return await _search_pg(db, guild_id, query, channel_id, author_id, limit)
    match = match_query(query)
    if match is None:
        return None
    # bm25() only works in the FTS query itself; rank there, then keep one row per message
    # (SQLite takes the bare columns from the row where MIN(score) is reached). The scope
    # (guild, thread, author, still kept) is applied inside the ranked query, before its
    # LIMIT: other servers' or threads' better matches must not crowd out this one's.
    sql = (
        "WITH ranked AS MATERIALIZED (SELECT recorded_versions_fts.rowid AS rowid, "
        "bm25(recorded_versions_fts) AS score FROM recorded_versions_fts "
        "JOIN recorded_versions v ON v.rowid = recorded_versions_fts.rowid "
        "JOIN recorded_messages m ON m.message_id = v.message_id "
        "WHERE recorded_versions_fts MATCH ? "
        "AND m.guild_id = ? AND m.deleted_at IS NULL AND m.redacted = 0 "
        "AND (CAST(? AS BIGINT) IS NULL OR m.channel_id = ?) "
        "AND (CAST(? AS BIGINT) IS NULL OR m.author_id = ?) "
        "ORDER BY score LIMIT 500) "
        "SELECT m.message_id, m.channel_id, m.guild_id, r.name, m.author_id, m.author_name, "
        f"m.created_at, v.content, v.version, MIN(ranked.score) AS score, {_CURRENT} "
        "FROM ranked "
        "JOIN recorded_versions v ON v.rowid = ranked.rowid "
        "JOIN recorded_messages m ON m.message_id = v.message_id "
        "JOIN thread_recordings r ON r.channel_id = m.channel_id "
        "GROUP BY m.message_id ORDER BY score, m.message_id DESC LIMIT ?"
    )
    params = (match, guild_id, channel_id, channel_id, author_id, author_id, limit)
    rows = await db.fetchall(sql, params)
    return [_hit(row) for row in rows]


async def _search_pg(
    db: Reader,
    guild_id: int,
    query: str,
    channel_id: int | None,
    author_id: int | None,
    limit: int,
) -> list[Hit] | None:
    match = ts_query(query)
    if match is None:
        return None
    # DISTINCT ON keeps each message's best version (PostgreSQL's answer to SQLite's bare
    # columns beside MIN()); the outer query orders messages by that best score.
    sql = (
        "WITH ranked AS MATERIALIZED (SELECT v.rowid AS rowid, "
        "-ts_rank(v.fts, to_tsquery('english', ?1)) AS score FROM recorded_versions v "
        "JOIN recorded_messages m ON m.message_id = v.message_id "
        "WHERE v.fts @@ to_tsquery('english', ?1) "
        "AND m.guild_id = ?2 AND m.deleted_at IS NULL AND m.redacted = 0 "
        "AND (CAST(?3 AS BIGINT) IS NULL OR m.channel_id = ?3) "
        "AND (CAST(?4 AS BIGINT) IS NULL OR m.author_id = ?4) "
        "ORDER BY score LIMIT 500), "
        "best AS (SELECT DISTINCT ON (m.message_id) m.message_id, m.channel_id, m.guild_id, "
        "r.name, m.author_id, m.author_name, m.created_at, v.content, v.version, ranked.score, "
        f"{_CURRENT} FROM ranked JOIN recorded_versions v ON v.rowid = ranked.rowid "
        "JOIN recorded_messages m ON m.message_id = v.message_id "
        "JOIN thread_recordings r ON r.channel_id = m.channel_id "
        "ORDER BY m.message_id, ranked.score) "
        "SELECT * FROM best ORDER BY score, message_id DESC LIMIT ?5"
    )
    rows = await db.fetchall(sql, (match, guild_id, channel_id, author_id, limit))
    return [_hit(row) for row in rows]
