"""The herbot command line: one-line configuration errors, db maintenance."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("HERBOT_DB", str(tmp_path / "cli.db"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read


def test_run_without_token_is_a_one_line_error(capsys: pytest.CaptureFixture[str]):
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "DISCORD_TOKEN is not set" in err


def test_malformed_settings_is_a_one_line_error(tmp_path: Path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot]\nlog_level = 'LOUD'\n")
    assert main(["--settings", str(bad), "db", "migrate"]) == 2
    assert "log_level" in capsys.readouterr().err


@pytest.mark.sqlite_only  # SQLite's online backup of a file
def test_db_migrate_and_backup(tmp_path: Path, capsys):
    assert main(["db", "migrate"]) == 0
    assert "schema at revision" in capsys.readouterr().out
    assert main(["db", "backup", str(tmp_path / "copy.db")]) == 0
    conn = sqlite3.connect(tmp_path / "copy.db")
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() is not None
    conn.close()
