"""``herbot ask``: ranked passages with citations; an explicit flag when it declines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.quotes.ask.support import warm_vectors


@pytest.fixture(scope="module", autouse=True)
def _vectors() -> None:
    warm_vectors()


def _ask(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str]:
    code = main(["--db", str(db), "ask", *args])
    return code, capsys.readouterr().out


def test_fresh_database_is_seeded_and_answers_json(tmp_path: Path, capsys):
    code, out = _ask(capsys, tmp_path / "new.db", "Who voices Samantha?", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["declined"] is False
    assert 1 <= len(data["results"]) <= 3
    best = data["results"][0]
    assert best["id"] in {"film-cast-samantha", "fs-038", "fs-057"}
    assert "Scarlett Johansson" in best["text"]
    assert best["citation"] and best["rank"] == 1
    assert "Samantha" in best["highlights"]


def test_declines_with_a_flag_and_no_results(tmp_path: Path, capsys):
    question = "What did Sam Altman tweet when GPT-4o launched?"
    code, out = _ask(capsys, tmp_path / "h.db", question, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["declined"] is True and data["results"] == []
    assert len(data["suggestions"]) == 3  # related, not an answer
    code, out = _ask(capsys, tmp_path / "h.db", "best pizza recipe", "--json")
    assert json.loads(out)["suggestions"] == []  # nothing near enough to be related


def test_text_output_and_limit(tmp_path: Path, capsys):
    code, out = _ask(capsys, tmp_path / "h.db", "Who composed the score?", "--limit", "5")
    assert code == 0
    assert out.startswith("1. ")
    assert "5. " in out and "6. " not in out
    assert "— Her (dir. Spike Jonze, 2013)" in out


def test_bad_limit_is_refused(tmp_path: Path, capsys):
    code, out = _ask(capsys, tmp_path / "h.db", "Who composed the score?", "--limit", "0")
    assert code == 2 and "--limit" in out
