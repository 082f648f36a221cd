"""The lexical leg: SQLite FTS5 BM25 over ``quotes_fts`` (porter stemming).

The MATCH string is always built by :func:`bot.fts.match_query` from escaped word tokens,
never from raw user text. On PostgreSQL the same functions rank the generated ``quotes.fts``
tsvector (english stemming, GIN index) with ``ts_rank`` and the same column weights, and
name checks use ``quotes.ac`` (words as written) with a phrase query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.db import Reader
from bot.fts import match_query, tokens, ts_query
from cogs.quotes.ask.passages import VISIBLE

# bm25 column weights for quotes_fts(text, speaker, tags, note): the words themselves count
# most; who said it and the curators' tags help ("Who voices Samantha?"); notes barely.
WEIGHTS = (1.0, 0.6, 0.6, 0.2)
# The same weights for PostgreSQL's ts_rank, in its order {D, C, B, A}: note (D), speaker and
# tags (B), text (A).
PG_WEIGHTS = "'{0.2, 0.6, 0.6, 1.0}'::float4[]"
PG_QUERY = "to_tsquery('english', :match)"
# Candidates ranked before the visibility check (pending or other guilds' quotes drop out).
OVERSAMPLE = 4
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"


# What ranks the keyword leg on each engine, named where /ask says how it searched.
RANKING = {"sqlite": "BM25", "postgresql": "ts_rank"}


def ranking(db: Reader) -> str:
    """The keyword ranking ``db``'s engine runs: FTS5's ``bm25`` or PostgreSQL's ``ts_rank``."""
    return RANKING[db.dialect]


@dataclass(frozen=True, slots=True)
class LexicalHit:
    rowid: int
    score: float  # -bm25: higher is better


def query_words(question: str) -> list[str]:
    return list(dict.fromkeys(tokens(question)))[:32]


async def search(
    db: Reader, question: str, guild_id: int | None, *, limit: int = 50
) -> list[LexicalHit]:
    """Visible passages matching any content word of ``question``, best BM25 first."""
    if db.dialect != "sqlite":
        return await _search_pg(db, question, guild_id, limit)
    match = match_query(question)
    if match is None:
        return []
    weights = ", ".join(str(w) for w in WEIGHTS)
    # Rank inside FTS5 first, then join only the best few to check visibility: joining every
    # match before sorting costs twice as much at 100k passages (bench/ask.py).
    sql = (
        f"SELECT s.rowid AS rowid, s.score AS score FROM (SELECT rowid, "
        f"bm25(quotes_fts, {weights}) AS score FROM quotes_fts WHERE quotes_fts MATCH :match "
        "ORDER BY score LIMIT :over) AS s JOIN quotes AS q ON q.rowid = s.rowid "
        f"WHERE {VISIBLE} ORDER BY s.score LIMIT :limit"
    )
    params = {"match": match, "guild": guild_id, "limit": limit, "over": limit * OVERSAMPLE}
    async with db.execute(sql, params) as cur:
        return [LexicalHit(row["rowid"], -float(row["score"])) for row in await cur.fetchall()]


async def _search_pg(
    db: Reader, question: str, guild_id: int | None, limit: int
) -> list[LexicalHit]:
    match = ts_query(question)
    if match is None:
        return []
    sql = (
        "SELECT s.rowid AS rowid, s.score AS score FROM (SELECT f.rowid, "
        f"-ts_rank({PG_WEIGHTS}, f.fts, {PG_QUERY}) AS score FROM quotes AS f "
        f"WHERE f.fts @@ {PG_QUERY} ORDER BY score, f.rowid LIMIT :over) AS s "
        f"JOIN quotes AS q ON q.rowid = s.rowid WHERE {VISIBLE} ORDER BY s.score, s.rowid "
        "LIMIT :limit"
    )
    params = {"match": match, "guild": guild_id, "limit": limit, "over": limit * OVERSAMPLE}
    rows = await db.fetchall(sql, params)
    return [LexicalHit(row["rowid"], -float(row["score"])) for row in rows]


async def coverage(
    db: Reader,
    question: str,
    rowids: list[int],
    also: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[int, float]:
    """For each passage, the share of the question's content words it contains (stemmed).

    A word also counts as present through any of its ``also`` words (the aliases' [words]:
    "plays" is there when the passage says "voiced"). One query: a UNION of per-word
    MATCHes restricted to ``rowids``.
    """
    words = query_words(question)
    if not words or not rowids:
        return {}
    marks = ",".join("?" * len(rowids))
    parts, params = [], []
    for word in words:
        either = " ".join([word, *(also or {}).get(word, ())])
        if db.dialect == "sqlite":
            parts.append(
                f"SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ? AND rowid IN ({marks})"
            )
            params.extend([match_query(either) or '""', *rowids])
        else:
            parts.append(
                "SELECT rowid FROM quotes WHERE fts @@ to_tsquery('english', ?) "
                f"AND rowid IN ({marks})"
            )
            params.extend([ts_query(either) or "''", *rowids])
    sql = (
        "SELECT rowid, count(*) AS n FROM ("
        + " UNION ALL ".join(parts)
        + ") AS hits GROUP BY rowid"
    )
    async with db.execute(sql, params) as cur:
        found = {row["rowid"]: row["n"] / len(words) for row in await cur.fetchall()}
    return {rowid: found.get(rowid, 0.0) for rowid in rowids}


async def highlights(
    db: Reader, question: str, rowids: list[int]
) -> dict[int, list[tuple[str, bool]]]:
    """The text of each passage cut into (piece, is_query_term) segments, FTS5's own stemming."""
    match = match_query(question) if db.dialect == "sqlite" else ts_query(question)
    if match is None or not rowids:
        return {}
    marks = ",".join("?" * len(rowids))
    sql = (
        "SELECT rowid, highlight(quotes_fts, 0, char(2), char(3)) AS marked FROM quotes_fts "
        f"WHERE quotes_fts MATCH ? AND rowid IN ({marks})"
    )
    if db.dialect != "sqlite":
        sql = (
            "SELECT rowid, ts_headline('english', text, to_tsquery('english', ?), "
            "'HighlightAll=true, StartSel=' || chr(2) || ', StopSel=' || chr(3)) AS marked "
            f"FROM quotes WHERE fts @@ to_tsquery('english', ?1) AND rowid IN ({marks})"
        )
    async with db.execute(sql, [match, *rowids]) as cur:
        return {row["rowid"]: split_marked(row["marked"]) for row in await cur.fetchall()}


def split_marked(marked: str) -> list[tuple[str, bool]]:
    segments: list[tuple[str, bool]] = []
    for i, chunk in enumerate(marked.split(HIGHLIGHT_START)):
        if i == 0:
            if chunk:
                segments.append((chunk, False))
            continue
        hit, _, rest = chunk.partition(HIGHLIGHT_END)
        if hit:
            segments.append((hit, True))
        if rest:
            segments.append((rest, False))
    return segments


async def mentioned(db: Reader, names: list[str], guild_id: int | None) -> set[str]:
    """Which of ``names`` some passage ``guild_id`` may see contains, as a phrase.

    One FTS5 phrase query per name on ``quotes_ac`` (words as written: no stemming, which
    would let "Joi" match "joy"), stopping at the first visible passage. Names come from
    :func:`cogs.quotes.ask.answerability.named`: tokens only, quoted here as a phrase.
    """
    found = set()
    for name in names:
        words = re.findall(r"\w+", name.casefold())
        if not words:
            continue
        phrase = '"' + " ".join(words) + '"'
        sql = (
            "SELECT 1 FROM quotes_ac AS f JOIN quotes AS q ON q.rowid = f.rowid "
            f"WHERE quotes_ac MATCH :match AND {VISIBLE} LIMIT 1"
        )
        if db.dialect != "sqlite":
            phrase = " ".join(words)
            sql = (
                "SELECT 1 FROM quotes AS q WHERE q.ac @@ phraseto_tsquery('simple', :match) "
                f"AND {VISIBLE} LIMIT 1"
            )
        async with db.execute(sql, {"match": phrase, "guild": guild_id}) as cur:
            if await cur.fetchone() is not None:
                found.add(name)
    return found


async def absent(db: Reader, words: list[str], guild_id: int | None) -> list[str]:
    """The ``words`` no passage ``guild_id`` may see contains (stemmed, as the keyword leg
    matches them): what a question says that the store never does.

    A long word also counts as present through its first letters but two, which the
    stemmer may not reach ("emotionally" and "emotional"). One query: a UNION of per-word
    existence checks, each stopping at its first passage.
    """
    words = [w for w in dict.fromkeys(words) if tokens(w)]
    if not words:
        return []
    parts = []
    params: dict[str, object] = {"guild": guild_id}
    for i, word in enumerate(words):
        if db.dialect == "sqlite":
            parts.append(
                f"SELECT {i} AS i FROM (SELECT 1 FROM quotes_fts AS f JOIN quotes AS q "
                f"ON q.rowid = f.rowid WHERE quotes_fts MATCH :w{i} AND {VISIBLE} LIMIT 1)"
            )
            params[f"w{i}"] = _with_prefix(match_query(word) or '""', word, '"{}"*')
        else:
            parts.append(
                f"SELECT {i} AS i FROM (SELECT 1 FROM quotes AS q WHERE "
                f"q.fts @@ to_tsquery('english', :w{i}) AND {VISIBLE} LIMIT 1) AS w{i}"
            )
            params[f"w{i}"] = _with_prefix(ts_query(word) or "''", word, "'{}':*", " | ")
    async with db.execute(" UNION ALL ".join(parts), params) as cur:
        found = {row["i"] for row in await cur.fetchall()}
    return [w for i, w in enumerate(words) if i not in found]


def _with_prefix(query: str, word: str, form: str, joiner: str = " OR ") -> str:
    stem = tokens(word)[0] if tokens(word) else ""
    if len(stem) < 6 or not stem.isalnum():
        return query
    return query + joiner + form.format(stem[:-2])


async def mentioning(db: Reader, name: str, guild_id: int | None, *, limit: int) -> list[int]:
    """Up to ``limit`` visible passages that contain ``name`` as a phrase (as
    :func:`mentioned` matches it)."""
    words = re.findall(r"\w+", name.casefold())
    if not words:
        return []
    phrase = '"' + " ".join(words) + '"'
    sql = (
        "SELECT q.rowid AS rowid FROM quotes_ac AS f JOIN quotes AS q ON q.rowid = f.rowid "
        f"WHERE quotes_ac MATCH :match AND {VISIBLE} LIMIT :limit"
    )
    if db.dialect != "sqlite":
        phrase = " ".join(words)
        sql = (
            "SELECT q.rowid AS rowid FROM quotes AS q WHERE "
            f"q.ac @@ phraseto_tsquery('simple', :match) AND {VISIBLE} LIMIT :limit"
        )
    async with db.execute(sql, {"match": phrase, "guild": guild_id, "limit": limit}) as cur:
        return [row["rowid"] for row in await cur.fetchall()]
