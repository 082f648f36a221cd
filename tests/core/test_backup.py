"""``herbot db backup`` / ``herbot db restore``: one dump for both engines, and forget-me kept.

The database is filled as members fill it (every feature used, tests/core/test_forget_me.py's
scenario) plus the values JSON lacks (64-bit ids, bytes with NUL); the restored database must
hold exactly the same rows. A damaged file and a non-empty target are refused; a restore
after a forget-me brings back nothing of that member.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot import backup as dump
from bot.db import Database, database
from bot.feature import load_features
from bot.forget_ledger import ForgetLedger
from bot.prepare import prepare_database
from tests import engines
from tests.core.test_forget_me import WORDS, _use_every_feature, _where_id_is

BIG = (1 << 63) - 5  # beyond JSON's exact integers, inside both engines' BIGINT
BLOB = b"\x00\xff vector \x00"


async def _contents(db: Database, *, rowid: bool = True) -> dict[str, list[tuple]]:
    """Every table's rows (all dumped columns), sorted: what a restore must reproduce."""
    found: dict[str, list[tuple]] = {}
    for table in await dump.tables(db, db.dialect):
        columns = [c for c in table.columns if rowid or c != "rowid"]
        if not columns:
            continue
        select = ", ".join(c if c == "rowid" else f'"{c}"' for c in columns)
        rows = await db.fetchall(f'SELECT {select} FROM "{table.name}"')
        found[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return found


async def _fill(world) -> None:
    await _use_every_feature(world, world.members[2])
    async with world.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, 'backup', 'x')", (BIG,)
        )
        await tx.execute(
            "INSERT INTO ask_vectors (content_hash, model, vector) VALUES ('h', 'm', ?)", (BLOB,)
        )


def _target(tmp_path: Path, name: str) -> Path | str:
    """A new, empty database of this run's engine (nothing migrated yet)."""
    if engines.enabled():
        return engines.empty_database(f"restore_{name}")
    return tmp_path / f"{name}.db"


def _ledger(world) -> ForgetLedger:
    return ForgetLedger(world.settings.forget_ledger)


def test_the_seeded_tables_are_what_the_migrations_make(tmp_path: Path):
    async def fresh() -> dict[str, int]:
        async with database(_target(tmp_path, "seeded")) as db:
            return {
                t.name: n
                for t in await dump.tables(db, db.dialect)
                if (n := await db.fetchval(f'SELECT count(*) FROM "{t.name}"'))
            }

    assert asyncio.run(fresh()) == dump.SEEDED


async def test_round_trip_keeps_every_row_of_every_table(world, tmp_path: Path):
    await _fill(world)
    before = await _contents(world.db)
    assert sum(len(rows) for rows in before.values()) > 50
    lines: list[str] = []
    manifest = await dump.backup(world.db, tmp_path / "herbot.dump", lines.append)
    assert manifest.tables["guild_settings"][1] == len(before["guild_settings"])
    assert any("verifying" in line for line in lines)

    target = _target(tmp_path, "round_trip")
    report = await dump.restore(
        target,
        tmp_path / "herbot.dump",
        features=load_features(world.settings.features),
        ledger=_ledger(world),
    )
    assert report.reforgotten == 0 and report.head == manifest.head
    async with database(target) as restored:
        assert await _contents(restored) == before
        assert await restored.fetchval("SELECT vector FROM ask_vectors WHERE model = 'm'") == BLOB
        assert await restored.fetchval("SELECT guild_id FROM guild_settings WHERE key = 'backup'")


async def test_a_restore_refuses_a_target_with_rows(world, tmp_path: Path):
    await dump.backup(world.db, tmp_path / "herbot.dump")  # the curated store is in it
    with pytest.raises(dump.BackupError, match="is not empty"):
        await dump.restore(
            world.settings.database,
            tmp_path / "herbot.dump",
            features=load_features(world.settings.features),
            ledger=_ledger(world),
        )


async def test_a_damaged_dump_is_refused(db, settings, tmp_path: Path):
    path = tmp_path / "herbot.dump"
    await dump.backup(db, path)
    with gzip.open(path, "rb") as f:
        manifest, *rows = f.read().splitlines(keepends=True)
    rows = [r.replace(b"Discord discussion", b"Discord discussioN") for r in rows]
    path.write_bytes(gzip.compress(manifest + b"".join(rows)))
    with pytest.raises(dump.BackupError, match="checksum"):
        dump.verify(path)
    with pytest.raises(dump.BackupError, match="damaged"):
        await dump.restore(
            _target(tmp_path, "damaged"),
            path,
            features=load_features(settings.features),
            ledger=ForgetLedger(tmp_path / "ledger.jsonl"),
        )
    path.write_bytes(b"not gzip at all")
    with pytest.raises(dump.BackupError, match="not a readable herbot dump"):
        dump.verify(path)


async def test_a_restore_after_a_forget_me_brings_back_nothing_of_that_member(
    world, tmp_path: Path
):
    carol = world.members[2]
    await _fill(world)
    await dump.backup(world.db, tmp_path / "before-forget.dump")
    shown = await carol.slash(world.channel, "privacy forget-me")
    done = await carol.click(shown.response, label="Yes, delete my data")
    assert done.response.content.startswith("Done. Removed ")
    assert len(_ledger(world).entries()) == 1  # the ledger names carol by hash only
    assert str(carol.id) not in world.settings.forget_ledger.read_text()

    target = _target(tmp_path, "after_forget")
    report = await dump.restore(
        target,
        tmp_path / "before-forget.dump",
        features=load_features(world.settings.features),
        ledger=_ledger(world),
    )
    assert report.reforgotten == 1
    async with database(target) as restored:
        assert await _where_id_is(restored, carol.id) == []
        texts = await restored.fetchall("SELECT text FROM quotes")
        assert not [t for (t,) in texts if WORDS in t]
        versions = await restored.fetchall("SELECT content FROM recorded_versions")
        assert not [c for (c,) in versions if WORDS in c]
        assert await _where_id_is(restored, world.members[0].id) == await _where_id_is(
            world.db, world.members[0].id
        )  # everyone else's rows are all there


@pytest.mark.postgres_only  # a real SQLite file beside this run's PostgreSQL
async def test_a_sqlite_dump_restores_into_postgresql_and_back(settings, tmp_path, monkeypatch):
    monkeypatch.setattr("bot.db.resolve_target", lambda target: target)
    lite_path = tmp_path / "community.db"
    lite = await prepare_database(replace(settings, database=lite_path))  # the curated store
    async with lite.transaction() as tx:
        await tx.execute(
            "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, 'k', 'v')", (BIG,)
        )
        await tx.execute(
            "INSERT INTO ask_vectors (content_hash, model, vector) VALUES ('h', 'm', ?)", (BLOB,)
        )
    before = await _contents(lite)
    plain = await _contents(lite, rowid=False)
    await dump.backup(lite, tmp_path / "lite.dump")
    await lite.close()
    features = load_features(settings.features)
    ledger = ForgetLedger(tmp_path / "ledger.jsonl")

    url = engines.empty_database("restore_from_sqlite")
    await dump.restore(url, tmp_path / "lite.dump", features=features, ledger=ledger)
    async with database(url) as pg:
        assert await _contents(pg, rowid=False) == plain
        lite_rowids = sorted(r[0] for r in before["quotes"])  # rowid is the first column
        assert sorted(r[0] for r in await pg.fetchall("SELECT rowid FROM quotes")) == lite_rowids
        assert await pg.fetchall("SELECT id FROM quotes WHERE fts @@ to_tsquery('english', 'love')")
        await dump.backup(pg, tmp_path / "pg.dump")

    back = tmp_path / "back.db"
    await dump.restore(back, tmp_path / "pg.dump", features=features, ledger=ledger)
    async with database(back) as again:
        assert await _contents(again) == before
        assert await again.fetchall("SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH 'love'")


def test_the_cli_backs_up_and_restores_as_a_process(tmp_path: Path, settings):
    async def seed() -> None:
        db = await prepare_database(settings)
        await db.close()

    asyncio.run(seed())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERBOT_", "DISCORD_"))}
    source = str(settings.database)
    key = "HERBOT_DATABASE_URL" if engines.enabled() else "HERBOT_DB"
    command = [sys.executable, "-m", "bot"]
    made = subprocess.run(
        [*command, "db", "backup", str(tmp_path / "cli.dump")],
        env={**env, key: source},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    assert "read back and verified" in made.stdout and "backing up" in made.stderr
    target = str(_target(tmp_path, "cli"))
    ledger = str(tmp_path / "cli-ledger.jsonl")
    restore = [*command, "db", "restore", str(tmp_path / "cli.dump")]
    env = {**env, key: target, "HERBOT_FORGET_LEDGER": ledger}
    run = subprocess.run(
        restore, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert "every table's rows verified" in run.stdout
    again = subprocess.run(
        restore, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 1 and "is not empty (" in again.stderr


async def test_a_forget_older_than_the_backup_is_in_it_already(world, tmp_path: Path):
    """What a member wrote after their forget and before the backup stays theirs."""
    from bot import privacy

    carol = world.members[2]
    await privacy.forget(world.db, world.bot.features, carol.id)
    assert len(_ledger(world).entries()) == 1
    shown = await carol.slash(world.channel, "quote submit", source="her-film")
    await carol.submit_modal(shown, {"text": f"{WORDS}, again", "speaker": "Samantha"})
    kept = await _where_id_is(world.db, carol.id)
    assert kept
    await dump.backup(world.db, tmp_path / "after.dump")
    target = _target(tmp_path, "older_forget")
    report = await dump.restore(
        target,
        tmp_path / "after.dump",
        features=load_features(world.settings.features),
        ledger=_ledger(world),
    )
    assert report.reforgotten == 0
    async with database(target) as restored:
        assert await _where_id_is(restored, carol.id) == kept


async def test_a_dump_of_an_older_schema_restores_and_migrates_on(settings, tmp_path: Path):
    from bot.migrations import current, head, history, upgrade

    older = history()[-2]
    source = await Database.open(_target(tmp_path, "old_source"), migrate=False)
    try:
        await upgrade(source, target=older)
        manifest = await dump.backup(source, tmp_path / "old.dump")
    finally:
        await source.close()
    assert manifest.head == older
    features = load_features(settings.features)
    ledger = ForgetLedger(tmp_path / "ledger.jsonl")
    target = _target(tmp_path, "old_target")
    report = await dump.restore(target, tmp_path / "old.dump", features=features, ledger=ledger)
    assert report.head == head()
    async with database(target) as restored:
        assert await current(restored) == head()
    at_head = _target(tmp_path, "at_head")  # once: on PostgreSQL each call makes it anew
    newer = await prepare_database(replace(settings, database=at_head))
    await newer.close()
    with pytest.raises(dump.BackupError, match=f"is at migration {head()}, the dump at {older}"):
        await dump.restore(at_head, tmp_path / "old.dump", features=features, ledger=ledger)


def test_the_ledger_names_nobody_and_survives_a_cut_last_line(tmp_path: Path):
    from datetime import UTC, datetime

    ledger = ForgetLedger(tmp_path / "ledger.jsonl")
    assert ledger.forgotten_among([1, 2]) == {}
    first, second = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    ledger.append(1234567890123456789, first)
    ledger.append(1234567890123456789, second)
    ledger.append(42, first)
    text = ledger.path.read_text()
    assert "1234567890123456789" not in text and '"42"' not in text
    assert ledger.forgotten_among([1234567890123456789, 7]) == {1234567890123456789: second}
    with ledger.path.open("a") as f:
        f.write('{"member": "abc')  # a write cut short by a crash
    assert len(ledger.entries()) == 2
    other = ForgetLedger(tmp_path / "other.jsonl")
    other.append(42, first)
    assert ledger.path.read_text().splitlines()[0] != other.path.read_text().splitlines()[0]
