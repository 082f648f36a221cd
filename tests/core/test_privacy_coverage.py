"""Privacy complete by construction: every column of the schema is classified by some feature.

A column that may hold a member's id or words must be in some ``Privacy.personal_columns``
(and so be handled by that feature's ``forget``); every other column is declared in
``other_columns``. A new column nobody classified fails here, before it can leak.
"""

from __future__ import annotations

from bot import privacy
from bot.feature import load_features

SKIPPED_TABLES = {"alembic_version"}
FTS_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


async def _schema(db) -> dict[str, set[str]]:
    rows = await db.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
    )
    virtual = {r["name"] for r in rows if (r["sql"] or "").upper().startswith("CREATE VIRTUAL")}
    schema: dict[str, set[str]] = {}
    for row in rows:
        name = row["name"]
        if name in SKIPPED_TABLES:
            continue
        if any(name == v + suffix for v in virtual for suffix in FTS_SHADOWS):
            continue  # an FTS5 index's own storage: covered through its virtual table
        columns = await db.fetchall(f'PRAGMA table_info("{name}")')
        schema[name] = {c["name"] for c in columns}
    return schema


async def test_every_column_is_classified_exactly_once(db, settings):
    parts = privacy.parts(load_features(settings.features))
    classified: dict[tuple[str, str], str] = {}
    for part in parts:
        for kind, tables in (("personal", part.personal_columns), ("other", part.other_columns)):
            for table, columns in tables.items():
                for column in columns:
                    key = (table, column)
                    assert key not in classified, f"{table}.{column} is classified twice"
                    classified[key] = kind
    schema = await _schema(db)
    unclassified = sorted(
        f"{table}.{column}"
        for table, columns in schema.items()
        for column in columns
        if (table, column) not in classified
    )
    assert unclassified == [], "classify these in a feature's Privacy (personal or other)"
    stale = sorted(f"{t}.{c}" for t, c in classified if c not in schema.get(t, set()))
    assert stale == [], "these classified columns are not in the schema"


async def test_every_full_text_index_of_personal_words_is_merged_after_forgetting(db, settings):
    parts = privacy.parts(load_features(settings.features))
    personal_tables = {t for p in parts for t in p.personal_columns}
    merged = {t for p in parts for t in p.fts_tables}
    fts = {
        r["name"]
        for r in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        )
    }
    assert fts & personal_tables <= merged
