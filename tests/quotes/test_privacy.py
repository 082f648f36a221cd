"""Forget-me and refused imports, as members and moderators do them, checked in the database."""

from __future__ import annotations

import json

from cogs.quotes import curated, import_store, quote_store, review_store
from cogs.quotes.ask.dense import content_hash, document
from tests import engines
from tests.quotes.conftest import FIXTURE_DIR

WORDS = "Zygomorphic lanterns hum"  # nothing else in the store says this
QUOTE_TABLES = ("quotes", "qotd_posts", "ask_sessions")
FTS = ("quotes_fts", "quotes_ac")


async def _ids_of(world, user_id: int) -> list[str]:
    """Every integer column of the quote tables that still holds ``user_id``."""
    hits = []
    tables = await engines.table_columns(world.db)
    for table in QUOTE_TABLES:
        for name, kind in tables[table].items():
            if kind != "INTEGER":
                continue
            n = await world.db.fetchval(
                f'SELECT count(*) FROM "{table}" WHERE "{name}" = ?', (user_id,)
            )
            if n:
                hits.append(f"{table}.{name}")
    return hits


async def _words_found(world, words: str) -> list[str]:
    first = words.split()[0]
    found = []
    checks = {
        "quotes": ("SELECT count(*) FROM quotes WHERE text LIKE ? OR speaker LIKE ?", 2),
        "ask_sessions": ("SELECT count(*) FROM ask_sessions WHERE question LIKE ?", 1),
    }
    for table, (sql, n) in checks.items():
        if await world.db.fetchval(sql, (f"%{first}%",) * n):
            found.append(table)
    if world.db.dialect == "sqlite":
        searches = {fts: f"SELECT count(*) FROM {fts} WHERE {fts} MATCH ?" for fts in FTS}
        term = f'"{first.lower()}"'
    else:  # the FTS5 tables' stand-ins: the tsvector columns of quotes
        searches = {
            "quotes_fts": "SELECT count(*) FROM quotes WHERE fts @@ to_tsquery('english', ?)",
            "quotes_ac": "SELECT count(*) FROM quotes WHERE ac @@ to_tsquery('simple', ?)",
        }
        term = first.lower()
    for fts, sql in searches.items():
        if await world.db.fetchval(sql, (term,)):
            found.append(fts)
    return found


def _raw_bytes(world) -> bytes:
    path = world.settings.database
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_forget_me_leaves_nothing_of_the_member_in_the_quote_tables(world):
    carol, bob = world.members[2], world.bob
    # Her message saved by someone else and approved: her words, in the public store.
    said = await carol.send(world.channel, f"{WORDS} over the bay.")
    await bob.context_menu(world.channel, "Save as quote", said)
    # Her own submission, still pending.
    shown = await carol.slash(world.channel, "quote submit", source="her-film")
    await carol.submit_modal(shown, {"text": f"{WORDS} softly.", "speaker": "Samantha"})
    # Bob's message she saved, approved: bob's words stay, her name goes.
    bobs = await bob.send(world.channel, "The ending is kind, not cruel.")
    await carol.context_menu(world.channel, "Save as quote", bobs)
    for q in await review_store.pending(world.db, world.guild.id):
        if q.origin == "message":
            review = await world.mod.slash(world.channel, "quote review")
            await world.mod.click(review.response.message, custom_id=f"herbot:quote:approve:{q.id}")
    await carol.slash(world.channel, "ask", question=f"{WORDS} at night?")
    assert await _ids_of(world, carol.id)
    assert set(await _words_found(world, WORDS)) == {
        "quotes",
        "ask_sessions",
        "quotes_fts",
        "quotes_ac",
    }
    status = await carol.slash(world.channel, "privacy status")
    # Each row once, under the labels forget-me reports (her own words saved by bob; her own
    # pending submission; bob's words she saved).
    assert "1 quote of your words" in status.response.content
    assert "1 pending quote submission," in status.response.content
    assert "1 quote you submitted, edited or reviewed" in status.response.content

    hashes = [
        content_hash(document(r["text"], r["locator"], r["tags"]))
        for r in await world.db.fetchall(
            "SELECT text, locator, tags FROM quotes WHERE author_id = ?", (carol.id,)
        )
    ]
    assert hashes

    forgot = await carol.slash(world.channel, "privacy forget-me")
    done = await carol.click(forgot.response, label="Yes, delete my data")
    content = done.response.content
    assert "1 quote of your words" in content
    assert "1 pending quote submission," in content
    assert "1 quote you submitted, edited or reviewed (your name removed)" in content
    assert "1 question you asked with /ask" in content

    assert await _ids_of(world, carol.id) == []
    assert await _words_found(world, WORDS) == []
    if world.db.path is not None:  # SQLite: not even in free pages (PostgreSQL: VACUUM's)
        assert WORDS.split()[0].lower().encode() not in _raw_bytes(world).lower()
    kept = await world.db.fetchone(
        "SELECT status, submitted_by, author_id FROM quotes WHERE text = ?",
        ("The ending is kind, not cruel.",),
    )
    assert tuple(kept) == ("approved", None, bob.id)  # bob's words stay, anonymously saved
    assert not await world.db.fetchval(
        f"SELECT count(*) FROM ask_vectors WHERE content_hash IN ({','.join('?' * len(hashes))})",
        hashes,
    )  # /ask's cached vectors of her deleted texts went with them


async def test_a_forgotten_moderators_edits_stay_and_their_id_goes(world):
    shown = await world.mod.slash(world.channel, "quote edit", id="fs-001")
    await world.mod.submit_modal(
        shown, {"text": "A moderator's wording.", "speaker": "Film Stories", "locator": "¶3"}
    )
    message = await world.bob.send(world.channel, "Worth keeping.")
    await world.alice.context_menu(world.channel, "Save as quote", message)
    (q,) = await review_store.pending(world.db, world.guild.id)
    review = await world.mod.slash(world.channel, "quote review")
    await world.mod.click(review.response.message, custom_id=f"herbot:quote:approve:{q.id}")

    forgot = await world.mod.slash(world.channel, "privacy forget-me")
    done = await world.mod.click(forgot.response, label="Yes, delete my data")
    assert "2 quotes you submitted, edited or reviewed (your name removed)" in (
        done.response.content
    )
    assert await _ids_of(world, world.mod.id) == []
    async with world.db.transaction() as tx:
        report = await import_store.import_curated(tx, curated.load(FIXTURE_DIR))
    assert report.kept_edited == 1  # the edit outlives its author's id
    assert (
        await quote_store.get(world.db, "fs-001", world.guild.id)
    ).text == "A moderator's wording."
    assert (await quote_store.get(world.db, q.id, world.guild.id)).status == "approved"


def _file_refused_halfway(guild_id: int) -> dict:
    """Valid as a file; the database refuses its last row (an origin the schema forbids)."""
    good = [
        {"id": f"imp-{n}", "text": f"Imported line {n}.", "speaker": "S", "source": "discord"}
        for n in range(20)
    ]
    bad = {"id": "imp-bad", "text": "t", "speaker": "S", "source": "new-src", "origin": "bogus"}
    return {
        "format": "herbot-quotes",
        "version": 1,
        "guild_id": guild_id,
        "sources": [{"id": "new-src", "kind": "article", "title": "A new source"}],
        "quotes": [*good, bad],
    }


async def test_an_import_the_database_refuses_halfway_keeps_nothing(world):
    before = await world.db.fetchval("SELECT count(*) FROM quotes")
    data = _file_refused_halfway(world.guild.id)
    assert import_store.validate_json(data) == []  # only the database can refuse it
    result = await world.mod.slash(
        world.channel, "quote import", file=("q.json", json.dumps(data).encode())
    )
    text = result.followups[-1].content if result.followups else result.response.content
    assert result.ephemeral and "Nothing was imported" in text
    assert "the database refused the file" in text
    assert world.user_errors()
    assert await world.db.fetchval("SELECT count(*) FROM quotes") == before
    assert await world.db.fetchval("SELECT count(*) FROM quotes WHERE id LIKE 'imp-%'") == 0
    assert not await quote_store.source_exists(world.db, "new-src")  # its source row went too
