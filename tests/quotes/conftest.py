"""Quote-store tests run on a tiny curated fixture dir, not on herbot_config/quotes/."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings, load_settings

FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "curated"


def with_curated(settings: Settings, directory: Path) -> Settings:
    sections = dict(settings.sections)
    sections["quotes"] = {**settings.section("quotes"), "curated_dir": str(directory)}
    return replace(settings, sections=sections)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The root ``settings`` fixture, seeded from the fixture dir (overrides tests/conftest)."""
    base = load_settings(env={"HERBOT_DB": str(tmp_path / "herbot.db")}, dotenv=False)
    return with_curated(replace(base, token=None), FIXTURE_DIR)


@pytest.fixture
def curated_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture dir."""
    target = tmp_path / "curated"
    target.mkdir()
    for path in FIXTURE_DIR.glob("*.toml"):
        (target / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return target
