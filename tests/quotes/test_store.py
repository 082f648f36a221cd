"""The quote store on a real temporary SQLite file (seeded from the fixture dir)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot import privacy
from cogs.quotes import curated, import_store, quote_store, review_store
from cogs.quotes.citation import citation
from cogs.quotes.review_store import AlreadySaved, Submission
from tests.quotes.conftest import FIXTURE_DIR

GUILD, OTHER, MOD = 111, 222, 9


async def write(db, writer, *args, **kw):
    """Run one store writer in its own transaction (committed when this returns)."""
    async with db.transaction() as tx:
        return await writer(tx, *args, **kw)


def sub(text="a member's line", **kw) -> Submission:
    return Submission(
        text=text,
        speaker=kw.pop("speaker", "alice"),
        guild_id=kw.pop("guild_id", GUILD),
        submitted_by=kw.pop("submitted_by", 5),
        **kw,
    )


async def test_empty_database_is_seeded_from_the_curated_dir(db):
    assert await quote_store.count_visible(db, GUILD) == 4
    q = await quote_store.get(db, "fs-002", GUILD)
    assert q is not None and q.speaker == "Karen Hao" and q.tags == ("altman", "karen-hao")
    assert citation(q) == (
        "Karen Hao — “Her — What OpenAI CEO Sam Altman gets wrong about his favourite film” "
        "(Film Stories), ¶9"
    )
    film = await quote_store.get(db, "film-001", None)
    assert (
        citation(film)
        == "Theodore — *Her* (dir. Spike Jonze, 2013), Theodore and Samantha at night"
    )


async def test_import_is_idempotent_by_id(db):
    loaded = curated.load(FIXTURE_DIR)
    report = await write(db, import_store.import_curated, loaded)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 4)
    async with db.execute("SELECT count(*) FROM quotes") as c:
        assert (await c.fetchone())[0] == 4


async def test_reimport_updates_changed_rows_but_keeps_moderator_edits_and_removals(
    db, curated_copy: Path
):
    assert await write(
        db, review_store.edit, "fs-001", GUILD, MOD, text="A moderator's better wording."
    )
    assert await write(db, review_store.remove, "film-002", GUILD, MOD)
    for name in ("filmstories-altman.toml", "her-film.toml"):
        path = curated_copy / name
        path.write_text(
            path.read_text()
            .replace('locator = "¶', 'locator = "para ')
            .replace("Cast", "Cast list")
        )
    path = curated_copy / "her-film.toml"
    path.write_text(
        path.read_text() + '\n[[quotes]]\nid = "film-003"\ntext = "New."\n'
        'speaker = "Amy"\nsource = "her-film"\nlocator = "Amy\'s flat"\nkind = "line"\n'
    )
    report = await write(db, import_store.import_curated, curated.load(curated_copy))
    assert (report.added, report.updated, report.kept_edited, report.kept_removed) == (1, 1, 1, 1)
    assert report.unchanged == 1
    edited = await quote_store.get(db, "fs-001", GUILD)
    assert edited.text == "A moderator's better wording." and edited.locator == "¶3"
    assert (await quote_store.get(db, "fs-002", GUILD)).locator == "para 9"
    assert await quote_store.get(db, "film-002", GUILD) is None  # stays removed
    assert (await quote_store.get(db, "film-003", GUILD)).speaker == "Amy"


async def test_export_writes_the_same_format_back(db, tmp_path: Path):
    sources, quotes = await import_store.export_curated(db)
    curated.export(tmp_path, sources, quotes)
    again = curated.load(tmp_path)
    original = curated.load(FIXTURE_DIR)
    assert again.problems == []
    assert again.sources == original.sources
    assert sorted(again.quotes, key=lambda q: q.id) == sorted(original.quotes, key=lambda q: q.id)


async def test_guild_scoping_of_submissions(db):
    qid = await write(db, review_store.submit_pending, sub("only for guild one"))
    assert await quote_store.get(db, qid, GUILD) is None  # pending is not visible
    assert await write(db, review_store.approve, qid, GUILD, MOD)
    assert (await quote_store.get(db, qid, GUILD)).text == "only for guild one"
    assert await quote_store.get(db, qid, OTHER) is None
    assert await quote_store.get(db, "fs-001", OTHER) is not None  # curated: everywhere
    assert [q.id for q in await quote_store.search(db, OTHER, "only guild")] == []
    assert [q.id for q in await quote_store.search(db, GUILD, "only guild")] == [qid]


async def test_review_race_has_one_winner(db):
    qid = await write(db, review_store.submit_pending, sub())
    results = await asyncio.gather(
        write(db, review_store.approve, qid, GUILD, 1),
        write(db, review_store.reject, qid, GUILD, 2),
        write(db, review_store.approve, qid, GUILD, 3),
    )
    assert results.count(True) == 1
    assert not await write(
        db, review_store.approve, qid, OTHER, MOD
    )  # another guild can't review it


async def test_same_message_cannot_be_saved_twice_while_pending_or_approved(db):
    link = "https://discord.com/channels/111/2/3"
    first = await write(
        db, review_store.submit_pending, sub(origin="message", message_link=link, author_id=7)
    )
    with pytest.raises(AlreadySaved) as exc:
        await write(
            db, review_store.submit_pending, sub(origin="message", message_link=link, author_id=7)
        )
    assert exc.value.quote_id == first
    assert await write(db, review_store.reject, first, GUILD, MOD)
    assert await write(
        db, review_store.submit_pending, sub(origin="message", message_link=link, author_id=7)
    )


async def test_search_prefix_autocomplete_is_bounded(db):
    for n in range(40):
        qid = await write(db, review_store.submit_pending, sub(f"loneliness number {n}"))
        await write(db, review_store.approve, qid, GUILD, MOD)
    found = await quote_store.search(db, GUILD, "lonel")
    assert len(found) == 25
    assert found[0].id == "film-001" or all(
        "lonel" in q.text.lower() or "loneliness" in q.tags for q in found
    )
    assert [q.id for q in await quote_store.search(db, GUILD, "fs-00")] == ["fs-001", "fs-002"]
    assert await quote_store.search(db, GUILD, 'AND "* OR -:') == []  # FTS syntax is never raw
    assert len(await quote_store.search(db, GUILD, "")) == 25


async def test_autocomplete_matches_words_as_written_while_typing(db):
    qid = await write(db, review_store.submit_pending, sub("I feel so lonely in this city."))
    await write(db, review_store.approve, qid, GUILD, MOD)
    for typed in ("lo", "lone", "lonel", "lonely", "feel lonel"):
        assert qid in [q.id for q in await quote_store.search(db, GUILD, typed)], typed
    assert [q.id for q in await quote_store.search(db, GUILD, "feel lonely city")] == [qid]


async def test_random_filters(db):
    for _ in range(10):
        assert (await quote_store.random_quote(db, GUILD, speaker="karen")).id == "fs-002"
        assert (await quote_store.random_quote(db, GUILD, tag="cast")).id == "film-002"
        q = await quote_store.random_quote(db, GUILD, source="her-film")
        assert q.source_id == "her-film"
    assert await quote_store.random_quote(db, GUILD, speaker="nobody", tag="altman") is None


async def test_forget_and_opt_out_hooks(db):
    mine = await write(db, review_store.submit_pending, sub(author_id=42, submitted_by=5))
    other = await write(db, review_store.submit_pending, sub("by 42", author_id=8, submitted_by=42))
    assert await write(db, review_store.withdraw_pending_of_author, 42) == 1
    assert await quote_store.get(db, mine, GUILD, any_status=True) is None
    forgotten = await write(db, review_store.forget_member, 42)
    assert (forgotten.words, forgotten.submissions) == (0, 1)
    assert await quote_store.get(db, other, GUILD, any_status=True) is None
    assert not await privacy.is_opted_out(db, 42, "quote")


async def test_json_round_trip_into_a_guild(db):
    qid = await write(db, review_store.submit_pending, sub("exported line", tags=("a-tag",)))
    await write(db, review_store.approve, qid, GUILD, MOD)
    pend = await write(db, review_store.submit_pending, sub("still pending"))
    data = json.loads(json.dumps(await import_store.export_json(db, GUILD)))
    assert {q["id"] for q in data["quotes"]} >= {qid, pend, "fs-001"}
    assert import_store.validate_json(data) == []
    # into a fresh guild's view: a new copy of the same ids would clash, so wipe first
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM quotes WHERE guild_id = ?", (GUILD,))
    report = await write(db, import_store.import_json, data, GUILD)
    assert (report.added, report.skipped) == (2, 4)
    assert (await quote_store.get(db, qid, GUILD)).tags == ("a-tag",)
    assert (await quote_store.get(db, pend, GUILD, any_status=True)).status == "pending"
    again = await write(db, import_store.import_json, data, GUILD)
    assert (again.added, again.updated) == (0, 2)


async def test_bad_json_imports_nothing(db):
    data = {
        "format": "herbot-quotes",
        "version": 1,
        "quotes": [
            {"id": "ok-1", "text": "fine", "speaker": "S", "source": "discord"},
            {"id": "bad-1", "text": "", "speaker": "S", "source": "discord"},
            {"id": "bad-2", "text": "x", "speaker": "S", "source": "nowhere"},
        ],
    }
    with pytest.raises(ValueError) as exc:
        await write(db, import_store.import_json, data, GUILD)
    problems = exc.value.args[0]
    assert any("bad-1: empty text" in p for p in problems)
    assert any("unknown source 'nowhere'" in p for p in problems)
    assert await quote_store.get(db, "ok-1", GUILD, any_status=True) is None
    assert import_store.validate_json({"format": "other"})[0].startswith("not a herbot quotes file")


async def test_the_real_store_imports_and_exports_back_unchanged(tmp_path: Path):
    from bot.db import database
    from tests.quotes.test_curated import REAL_DIR

    real = curated.load(REAL_DIR)
    if not real.quotes:
        pytest.skip("herbot_config/quotes/ has no quotes yet")
    async with database(tmp_path / "real.db") as db:
        report = await write(db, import_store.import_curated, real)
        assert report.added == len(real.quotes)
        assert (await write(db, import_store.import_curated, real)).unchanged == len(real.quotes)
        sources, quotes = await import_store.export_curated(db)
    curated.export(tmp_path / "out", sources, quotes)
    again = curated.load(tmp_path / "out")
    assert again.problems == []
    assert again.sources == real.sources
    assert again.quotes == real.quotes  # same quotes, same order


async def test_json_import_never_takes_another_guilds_rows_or_a_newer_edit(db):
    qid = await write(db, review_store.submit_pending, sub("guild one's words"))
    await write(db, review_store.approve, qid, GUILD, MOD)
    data = await import_store.export_json(db, GUILD)
    report = await write(db, import_store.import_json, data, OTHER)  # same ids, another guild
    assert (report.added, report.skipped) == (0, 5)
    assert (await quote_store.get(db, qid, GUILD)).guild_id == GUILD
    assert await quote_store.get(db, qid, OTHER) is None

    assert await write(db, review_store.edit, qid, GUILD, MOD, text="edited after the export")
    report = await write(db, import_store.import_json, data, GUILD)
    assert report.kept_edited == 1
    assert (await quote_store.get(db, qid, GUILD)).text == "edited after the export"
