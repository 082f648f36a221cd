"""``herbot quotes validate|import|export`` end to end (same domain code as the bot)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.cli import main
from cogs.quotes import curated
from tests.quotes.conftest import FIXTURE_DIR


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_validate_reports_problems_and_sets_the_exit_code(capsys, curated_copy: Path):
    code, out = run(capsys, "quotes", "validate", str(FIXTURE_DIR))
    assert code == 0 and "2 sources, 4 quotes, 0 problems" in out
    (curated_copy / "zz-bad.toml").write_text(
        '[[quotes]]\nid = "fs-001"\ntext = ""\nspeaker = "S"\nsource = "moon"\nlocator = "x"\n'
    )
    code, out = run(capsys, "quotes", "validate", str(curated_copy))
    assert code == 1
    assert "zz-bad.toml [fs-001]: duplicate id (first in filmstories-altman.toml)" in out


def test_import_export_round_trip(capsys, tmp_path: Path):
    db = str(tmp_path / "cli.db")
    code, out = run(capsys, "--db", db, "quotes", "import", str(FIXTURE_DIR))
    assert code == 0 and "4 added, 0 updated, 0 unchanged" in out
    code, out = run(capsys, "--db", db, "quotes", "import", str(FIXTURE_DIR))
    assert "0 added, 0 updated, 4 unchanged" in out

    code, out = run(capsys, "--db", db, "quotes", "export", str(tmp_path / "out"))
    assert code == 0 and "wrote 4 quotes" in out
    assert curated.load(tmp_path / "out").quotes == curated.load(FIXTURE_DIR).quotes

    dump = tmp_path / "all.json"
    code, out = run(capsys, "--db", db, "quotes", "export", "--json", str(dump))
    assert len(json.loads(dump.read_text())["quotes"]) == 4
    code, out = run(capsys, "--db", db, "quotes", "import", str(dump))
    assert code == 2  # a JSON import needs --guild
    code, out = run(capsys, "--db", db, "quotes", "import", str(dump), "--guild", "5")
    assert code == 0 and "4 skipped" in out  # curated rows come from the TOML files


def test_a_json_import_that_is_not_text_is_a_clear_error(capsys, tmp_path: Path):
    bad = tmp_path / "photo.json"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not text")
    code = main(["--db", str(tmp_path / "cli.db"), "quotes", "import", str(bad), "--guild", "5"])
    assert code == 1
    assert f"cannot read {bad}" in capsys.readouterr().err


def test_a_json_import_the_database_refuses_halfway_keeps_nothing(capsys, tmp_path: Path):
    import asyncio

    from bot.db import database
    from tests.quotes.test_privacy import _file_refused_halfway

    db = str(tmp_path / "cli.db")
    dump = tmp_path / "refused.json"
    dump.write_text(json.dumps(_file_refused_halfway(5)), encoding="utf-8")
    code, out = run(capsys, "--db", db, "quotes", "import", str(dump), "--guild", "5")
    assert code == 1
    assert "the database refused the file" in out and "nothing was imported" in out

    async def kept() -> tuple[int, int]:
        async with database(db) as conn:
            quotes = await conn.fetchval("SELECT count(*) FROM quotes WHERE id LIKE 'imp-%'")
            sources = await conn.fetchval("SELECT count(*) FROM quote_sources WHERE id = 'new-src'")
            return quotes, sources

    assert asyncio.run(kept()) == (0, 0)
