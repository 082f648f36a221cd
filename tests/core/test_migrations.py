"""One migration history: ascending, one head, nothing skipped, old databases upgraded in place."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.db import database
from bot.migrations import HERE, LEGACY_USER_VERSIONS, SQL_DIR, config, head, sql_statements

VERSIONS = HERE / "versions"
_FILE = re.compile(r"^(\d{4})_([a-z]+)_[a-z0-9_]+\.py$")
FEATURES = {"core", "quotes", "debate", "threads", "admin"}


def _chain() -> list[str]:
    script = ScriptDirectory.from_config(config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_the_history_is_one_ascending_chain_and_every_file_names_its_feature():
    files = sorted(p.name for p in VERSIONS.glob("*.py"))
    assert files, "no migrations found"
    for name in files:
        match = _FILE.match(name)
        assert match, f"{name}: name it NNNN_<feature>_<what>.py"
        assert match.group(2) in FEATURES, f"{name}: {match.group(2)} is not a feature"
        text = (VERSIONS / name).read_text(encoding="utf-8")
        assert f'revision = "{match.group(1)}"' in text, f"{name}: revision id must be its number"
        assert f"Feature: {match.group(2)}" in text, f"{name}: say which feature it belongs to"
    chain = _chain()
    assert chain == sorted(chain), "revisions must chain in ascending order"
    assert chain == [_FILE.match(n).group(1) for n in files]  # every file is on the one chain
    assert head() == chain[-1]


@pytest.mark.sqlite_only  # a probe migration written in SQLite DDL
async def test_a_new_migration_is_applied_to_an_up_to_date_database(tmp_path: Path):
    scripts = tmp_path / "migrations"
    shutil.copytree(HERE, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "db.sqlite"
    async with database(path):
        pass  # made and migrated to today's head
    newest = head()
    number = f"{int(newest) + 1:04d}"
    (scripts / "versions" / f"{number}_core_probe.py").write_text(
        f'"""A probe.\n\nFeature: core\n"""\n\nfrom alembic import op\n\n'
        f'revision = "{number}"\ndown_revision = "{newest}"\nbranch_labels = None\n'
        f"depends_on = None\n\n\ndef upgrade() -> None:\n"
        f'    op.execute("CREATE TABLE probe (x INTEGER)")\n',
        encoding="utf-8",
    )
    from bot.db import Database
    from bot.migrations import upgrade

    db = await Database.open(path, migrate=False)
    try:
        await upgrade(db, scripts)
        assert await db.fetchval("SELECT version_num FROM alembic_version") == number
        assert await db.fetchval("SELECT count(*) FROM sqlite_master WHERE name = 'probe'") == 1
    finally:
        await db.close()


EVERY_KIND_OF_ROW = """
INSERT INTO guild_settings (guild_id, key, value) VALUES (1, 'qotd_time', '08:00');
INSERT INTO privacy_optouts (user_id, scope) VALUES (5, 'record');
INSERT INTO quote_sources (id, kind, title) VALUES ('film', 'film', 'Her');
INSERT INTO quotes (id, text, speaker, source_id, guild_id, author_id)
    VALUES ('q1', 'words', 'Sam', 'film', 1, 5);
INSERT INTO qotd_posts (guild_id, day, quote_id) VALUES (1, '2026-01-01', 'q1');
INSERT INTO ask_vectors (content_hash, model, vector) VALUES ('h', 'm', x'00');
INSERT INTO ask_sessions (id, question, guild_id, user_id) VALUES ('s', 'why?', 1, 5);
INSERT INTO polls (id, guild_id, channel_id, question, created_by, created_at)
    VALUES (1, 1, 2, 'Motion', 5, '2026-01-01T00:00:00Z');
INSERT INTO poll_options (poll_id, position, label) VALUES (1, 0, 'For');
INSERT INTO poll_votes (poll_id, user_id, position, voted_at)
    VALUES (1, 5, 0, '2026-01-01T00:00:00Z');
INSERT INTO debates (id, guild_id, channel_id, motion, moderator_id, created_at, pre_poll_id)
    VALUES (1, 1, 2, 'Motion', 5, '2026-01-01T00:00:00Z', 1);
INSERT INTO debate_queue (debate_id, kind, user_id, side, joined_at)
    VALUES (1, 'speaker', 5, 'for', '2026-01-01T00:00:00Z');
INSERT INTO debate_events (guild_id, event_id, motion, starts_at, created_by)
    VALUES (1, 9, 'Motion', '2026-01-02T00:00:00Z', 5);
INSERT INTO thread_recordings (channel_id, guild_id, name, started_at)
    VALUES (3, 1, 't', '2026-01-01T00:00:00Z');
INSERT INTO recorded_messages (message_id, channel_id, guild_id, author_id, author_name,
    created_at) VALUES (4, 3, 1, 5, 'five', '2026-01-01T00:00:00Z');
INSERT INTO recorded_versions (message_id, version, content) VALUES (4, 1, 'hello');
INSERT INTO thread_events (channel_id, kind, at) VALUES (3, 'renamed', '2026-01-01T00:00:00Z');
"""


def _legacy_database(path: Path) -> None:
    """A database exactly as the release before Alembic made it, with every kind of row."""
    conn = sqlite3.connect(path)
    released = set(LEGACY_USER_VERSIONS.values())  # later files are Alembic's steps after it
    for sql in sorted((SQL_DIR / "sqlite").glob("*.sql")):
        if sql.name[:4] not in released:
            continue
        for statement in sql_statements(sql.read_text(encoding="utf-8")):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {max(LEGACY_USER_VERSIONS)}")
    conn.executescript(EVERY_KIND_OF_ROW)
    conn.commit()
    conn.close()


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite%'"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


@pytest.mark.sqlite_only  # pre-Alembic releases were SQLite files
async def test_a_database_from_the_release_before_alembic_upgrades_with_every_row(tmp_path: Path):
    path = tmp_path / "old.db"
    _legacy_database(path)
    before = _counts(path)
    assert all(before[t] >= 1 for t in ("quotes", "poll_votes", "recorded_versions"))
    async with database(path) as db:
        assert await db.fetchval("SELECT version_num FROM alembic_version") == head()
        hits = await db.fetchall("SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH 'words'")
        assert len(hits) == 1  # the full-text index came along
    after = _counts(path)
    assert {t: n for t, n in after.items() if t in before} == before
    seeded = {"alembic_version", "privacy_secret"}  # the forget ledger's key: one row
    assert all(n == 0 for t, n in after.items() if t not in {*before, *seeded})
    assert after["privacy_secret"] == 1
