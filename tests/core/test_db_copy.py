"""``herbot db copy --to postgresql://...``: a community's SQLite database moves up intact."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.cli import main
from bot.db import database
from bot.prepare import prepare_database
from tests import engines

pytestmark = pytest.mark.postgres_only


async def _sqlite_with_rows(settings, tmp_path):
    source = tmp_path / "community.db"
    db = await prepare_database(replace(settings, database=source))  # seeds the curated store
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, 'k', 'v')", (1 << 62,)
        )
        await tx.execute(
            "INSERT INTO polls (guild_id, channel_id, question, created_by, created_at) "
            "VALUES (1, 2, 'Is Samantha real?', 3, '2026-01-01T00:00:00.000000Z')"
        )
    await db.close()
    return source


async def test_copy_moves_every_row_and_refuses_a_non_empty_target(
    settings, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr("bot.db.resolve_target", lambda target: target)  # a real SQLite source
    source = await _sqlite_with_rows(settings, tmp_path)
    url = engines.empty_database("copy_target")

    assert await asyncio.to_thread(main, ["--db", str(source), "db", "copy", "--to", url]) == 0
    out = capsys.readouterr().out
    assert "every table's rows verified" in out and "quotes" in out

    async with database(source) as lite, database(url) as pg:
        assert pg.dialect == "postgresql"
        for table in ("quotes", "quote_sources", "guild_settings", "polls"):
            assert await pg.fetchval(f"SELECT count(*) FROM {table}") == await lite.fetchval(
                f"SELECT count(*) FROM {table}"
            )
        assert await pg.fetchval("SELECT guild_id FROM guild_settings") == 1 << 62
        lite_rowids = [r[0] for r in await lite.fetchall("SELECT rowid FROM quotes ORDER BY id")]
        pg_rowids = [r[0] for r in await pg.fetchall("SELECT rowid FROM quotes ORDER BY id")]
        assert pg_rowids == lite_rowids  # /ask's keys survive the move
        async with pg.transaction() as tx:  # identities continue after the copied ids
            poll = await tx.fetchval(
                "INSERT INTO polls (guild_id, channel_id, question, created_by, created_at) "
                "VALUES (1, 2, 'Again?', 3, 'x') RETURNING id"
            )
        assert poll == 2
        hits = await pg.fetchall("SELECT id FROM quotes WHERE fts @@ to_tsquery('english', 'love')")
        assert hits  # the full-text column is built from the copied rows

    assert await asyncio.to_thread(main, ["--db", str(source), "db", "copy", "--to", url]) == 1
    assert "already has" in capsys.readouterr().err
