"""The curated TOML files: loading, every validation problem, export round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from cogs.quotes import curated
from tests.quotes.conftest import FIXTURE_DIR

REAL_DIR = Path(__file__).resolve().parents[2] / "herbot_config" / "quotes"


def test_fixture_dir_loads_cleanly():
    loaded = curated.load(FIXTURE_DIR)
    assert loaded.problems == []
    assert set(loaded.sources) == {"her-film", "filmstories-altman"}
    assert {q.id for q in loaded.quotes} == {"film-001", "film-002", "fs-001", "fs-002"}
    film = next(q for q in loaded.quotes if q.id == "film-001")
    assert film.kind == "line" and film.tags == ("film-knowledge", "loneliness")


def _write(directory: Path, name: str, body: str) -> None:
    (directory / name).write_text(body, encoding="utf-8")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            'id = "film-001"\ntext = "again"\nspeaker = "S"\nsource = "her-film"\nlocator = "x"',
            "duplicate id",
        ),
        (
            'id = "x-1"\ntext = "Karen Hao noted that Altman seems to have missed the point of '
            'Her."\nspeaker = "K"\nsource = "filmstories-altman"\nlocator = "¶9"',
            "duplicate text",
        ),
        (
            'id = "x-2"\ntext = "t"\nspeaker = "S"\nsource = "nowhere"\nlocator = "x"',
            "unknown source",
        ),
        ('id = "x-3"\ntext = ""\nspeaker = "S"\nsource = "her-film"\nlocator = "x"', "empty text"),
        (
            'id = "x-4"\ntext = "t"\nspeaker = " "\nsource = "her-film"\nlocator = "x"',
            "empty speaker",
        ),
        (
            'id = "x-5"\ntext = "t"\nspeaker = "S"\nsource = "her-film"\nlocator = ""',
            "empty locator",
        ),
        ('id = ""\ntext = "t"\nspeaker = "S"\nsource = "her-film"\nlocator = "x"', "empty id"),
        (
            f'id = "x-6"\ntext = "{"a" * 1001}"\nspeaker = "S"\nsource = "her-film"\nlocator = "x"',
            "text is 1001 characters; the limit is 1000",
        ),
        ('id = "X 7"\ntext = "t"\nspeaker = "S"\nsource = "her-film"\nlocator = "x"', "id must be"),
        (
            'id = "x-8"\ntext = "t"\nspeaker = "S"\nsource = "her-film"\nlocator = "x"\n'
            'kind = "poem"',
            "kind must be",
        ),
        (
            'id = "x-9"\ntext = "t"\nspeaker = "S"\nsource = "her-film"\nlocator = "x"\n'
            'tags = ["Bad Tag"]',
            "tags must be",
        ),
    ],
)
def test_validate_catches_each_problem(curated_copy: Path, body: str, expected: str):
    _write(curated_copy, "zz-extra.toml", f"[[quotes]]\n{body}\n")
    loaded = curated.load(curated_copy)
    messages = [str(p) for p in loaded.problems]
    assert any(expected in m for m in messages), messages
    assert all(m.startswith("zz-extra.toml") for m in messages), messages


def test_misspelt_keys_are_reported_not_silently_dropped(curated_copy: Path):
    _write(
        curated_copy,
        "zz-extra.toml",
        '[[quote]]\nid = "x-1"\ntext = "lost"\nspeaker = "S"\nsource = "her-film"\n'
        'locator = "x"\n\n[[quotes]]\nid = "x-2"\ntext = "t"\nspeaker = "S"\n'
        'source = "her-film"\nlocator = "x"\ntag = ["love"]\n',
    )
    loaded = curated.load(curated_copy)
    messages = [str(p) for p in loaded.problems]
    assert any("zz-extra.toml: unknown key 'quote'" in m for m in messages), messages
    assert any("x-2: unknown key 'tag'" in m for m in messages), messages
    assert "x-2" in {q.id for q in loaded.valid_quotes()}  # still imported, like before


def test_broken_toml_is_reported_not_raised(curated_copy: Path):
    _write(curated_copy, "broken.toml", "[[quotes]\nid = ")
    loaded = curated.load(curated_copy)
    assert any("not valid TOML" in str(p) for p in loaded.problems)
    assert len(loaded.quotes) == 4  # the other files still load


def test_missing_sources_file_is_a_problem(curated_copy: Path):
    (curated_copy / "sources.toml").unlink()
    loaded = curated.load(curated_copy)
    assert any("sources.toml" in str(p) for p in loaded.problems)
    assert loaded.valid_quotes() == []


def test_export_round_trip(tmp_path: Path):
    loaded = curated.load(FIXTURE_DIR)
    out = tmp_path / "out"
    curated.export(out, loaded.sources.values(), loaded.quotes)
    again = curated.load(out)
    assert again.problems == []
    assert again.sources == loaded.sources
    assert sorted(again.quotes, key=lambda q: q.id) == sorted(loaded.quotes, key=lambda q: q.id)
    # and writing the re-read store gives byte-identical files
    out2 = tmp_path / "out2"
    curated.export(out2, again.sources.values(), again.quotes)
    for path in out.glob("*.toml"):
        assert (out2 / path.name).read_text() == path.read_text()


def test_the_real_curated_store_validates_cleanly():
    if not REAL_DIR.is_dir() or not any(p.name != "sources.toml" for p in REAL_DIR.glob("*.toml")):
        pytest.skip("herbot_config/quotes/ has no quotes yet (the curation branch fills it)")
    loaded = curated.load(REAL_DIR)
    assert [str(p) for p in loaded.problems] == []
    assert loaded.quotes
