"""Privacy complete by construction: every column of the schema is classified by some feature.

A column that may hold a member's id or words must be in some ``Privacy.personal_columns``
(and so be handled by that feature's ``forget``); every other column is declared in
``other_columns``. A new column nobody classified fails here, before it can leak.
"""

from __future__ import annotations

from bot import privacy
from bot.feature import load_features
from tests import engines

SKIPPED_TABLES = {"alembic_version"}


async def _schema(db) -> dict[str, set[str]]:
    tables = await engines.table_columns(db)
    return {name: set(columns) for name, columns in tables.items() if name not in SKIPPED_TABLES}


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
    # PostgreSQL keeps full-text search in generated columns of the row, not FTS5 tables.
    engine_fts = set() if db.dialect == "sqlite" else {t for p in parts for t in p.fts_tables}
    stale = sorted(
        f"{t}.{c}" for t, c in classified if c not in schema.get(t, set()) and t not in engine_fts
    )
    assert stale == [], "these classified columns are not in the schema"


async def test_every_full_text_index_of_personal_words_is_merged_after_forgetting(db, settings):
    parts = privacy.parts(load_features(settings.features))
    personal_tables = {t for p in parts for t in p.personal_columns}
    merged = {t for p in parts for t in p.fts_tables}
    fts = await engines.fts_tables(db)
    assert fts & personal_tables <= merged
