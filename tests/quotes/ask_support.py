"""Test helpers for /ask: load the curated TOML store and the question set.

A tiny loader of config/quotes/*.toml (CURATED_FORMAT.md) so /ask's tests do not depend on
the quote store's importer; when that importer has already filled the database (the seeder
runs in ``prepare_database``), ``load_curated`` leaves it as it is.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import aiosqlite

ROOT = Path(__file__).resolve().parents[2]
CURATED = ROOT / "config" / "quotes"
QUESTIONS = ROOT / "tests" / "data" / "questions.toml"

SOURCE_COLUMNS = ("id", "kind", "title", "year", "director", "publication", "author", "url")


def curated_quotes() -> list[dict[str, Any]]:
    quotes: list[dict[str, Any]] = []
    for path in sorted(CURATED.glob("*.toml")):
        if path.name != "sources.toml":
            quotes.extend(tomllib.loads(path.read_text(encoding="utf-8")).get("quotes", []))
    return quotes


async def load_curated(db: aiosqlite.Connection) -> int:
    """Insert the curated store unless it is already there; returns the quotes count."""
    async with db.execute("SELECT count(*) FROM quotes WHERE origin = 'curated'") as cur:
        (present,) = await cur.fetchone()
    if present:
        return int(present)
    sources = tomllib.loads((CURATED / "sources.toml").read_text(encoding="utf-8"))["sources"]
    for source in sources:
        values = [source.get(c) for c in SOURCE_COLUMNS] + [source.get("note", "")]
        await db.execute(
            f"INSERT OR IGNORE INTO quote_sources ({', '.join(SOURCE_COLUMNS)}, note) "
            f"VALUES ({', '.join('?' * (len(SOURCE_COLUMNS) + 1))})",
            values,
        )
    quotes = curated_quotes()
    await db.executemany(
        "INSERT INTO quotes (id, text, speaker, source_id, locator, kind, tags, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                q["id"],
                q["text"],
                q["speaker"],
                q["source"],
                q.get("locator", ""),
                q.get("kind", "excerpt"),
                ",".join(q.get("tags", [])),
                q.get("note", ""),
            )
            for q in quotes
        ],
    )
    await db.commit()
    return len(quotes)


def questions() -> list[dict[str, Any]]:
    """The question set: [[questions]] with text, expected quote ids, in-scope or not."""
    if not QUESTIONS.is_file():
        return []
    return tomllib.loads(QUESTIONS.read_text(encoding="utf-8")).get("questions", [])
