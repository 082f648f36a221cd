"""Moderators: /quote edit, remove, export, import (JSON attachments)."""

from __future__ import annotations

import json

from cogs.quotes import curated, import_store, quote_store, review_store
from tests import cards
from tests.quotes.conftest import FIXTURE_DIR
from tests.quotes.helpers import approved


async def test_edit_opens_a_prefilled_modal_and_survives_a_curated_reimport(world):
    shown = await world.mod.slash(world.channel, "quote edit", id="fs-001")
    fields = {
        row["components"][0]["custom_id"]: row["components"][0].get("value")
        for row in shown.modal["components"]
    }
    assert fields == {
        "text": "Altman reads the film as a product pitch; the film is about people.",
        "speaker": "Film Stories",
        "locator": "¶3",
        "tags": "altman, reading",
    }
    done = await world.mod.submit_modal(
        shown,
        {
            "text": "Altman reads Her as a pitch.",
            "speaker": "Film Stories",
            "locator": "¶3",
            "tags": "altman",
        },
    )
    assert done.ephemeral and done.response.embeds[0].description == "Altman reads Her as a pitch."
    async with world.db.transaction() as tx:
        report = await import_store.import_curated(tx, curated.load(FIXTURE_DIR))
    assert report.kept_edited == 1
    shown = await world.alice.slash(world.channel, "quote show", id="fs-001")
    assert "> Altman reads Her as a pitch.\n" in cards.text(shown)


async def test_edit_autocomplete_includes_pending_for_moderators(world):
    async with world.db.transaction() as tx:
        qid = await review_store.submit_pending(
            tx,
            review_store.Submission(
                text="pending words", speaker="x", guild_id=world.guild.id, submitted_by=1
            ),
        )
    choices = await world.mod.autocomplete(world.channel, "quote edit", "id", "pending")
    assert [c["value"] for c in choices] == [qid]
    visible = await world.mod.autocomplete(world.channel, "quote remove", "id", "pending")
    assert visible == []


async def test_remove_hides_a_quote_everywhere_and_it_stays_removed(world):
    result = await world.mod.slash(world.channel, "quote remove", id="film-002")
    assert result.ephemeral and "Removed `film-002`" in result.response.content
    assert "stays removed on re-import" in result.response.content
    gone = await world.alice.slash(world.channel, "quote show", id="film-002")
    assert "There is no quote" in gone.response.content
    async with world.db.transaction() as tx:
        assert (await import_store.import_curated(tx, curated.load(FIXTURE_DIR))).kept_removed == 1
    assert await quote_store.get(world.db, "film-002", world.guild.id) is None
    again = await world.mod.slash(world.channel, "quote remove", id="film-002")
    assert "no quote `film-002` to remove" in again.response.content
    assert len(world.user_errors()) == 2


async def test_export_then_import_round_trip(world):
    qid = await approved(world, "A line worth keeping.")
    result = await world.mod.slash(world.channel, "quote export")
    assert result.ephemeral
    (attachment,) = result.response.attachments
    assert attachment.filename == f"quotes-{world.guild.id}.json"
    data = json.loads(await attachment.read())
    assert {q["id"] for q in data["quotes"]} == {qid, "film-001", "film-002", "fs-001", "fs-002"}

    await world.mod.slash(world.channel, "quote remove", id=qid)  # then restore from the file
    data["quotes"] = [dict(q, status="approved") for q in data["quotes"]]
    async with world.db.transaction() as tx:
        await tx.execute("DELETE FROM quotes WHERE id = ?", (qid,))
    raw = json.dumps(data).encode()
    imported = await world.mod.slash(world.channel, "quote import", file=("quotes.json", raw))
    assert imported.ephemeral
    assert "1 added" in imported.response.content and "4 skipped" in imported.response.content
    shown = await world.alice.slash(world.channel, "quote show", id=qid)
    assert "> A line worth keeping.\n" in cards.text(shown)


async def test_a_bad_import_file_lists_problems_and_imports_nothing(world):
    data = {
        "format": "herbot-quotes",
        "version": 1,
        "quotes": [
            {"id": "good-1", "text": "fine", "speaker": "S", "source": "discord"},
            {"id": "bad-1", "text": "", "speaker": "S", "source": "discord"},
            {"id": "bad-2", "text": "x", "speaker": "S", "source": "atlantis"},
        ],
    }
    result = await world.mod.slash(
        world.channel, "quote import", file=("q.json", json.dumps(data).encode())
    )
    assert result.ephemeral
    text = result.followups[-1].content if result.followups else result.response.content
    assert "Nothing was imported" in text
    assert "bad-1: empty text" in text and "unknown source 'atlantis'" in text
    assert await quote_store.get(world.db, "good-1", world.guild.id, any_status=True) is None

    junk = await world.mod.slash(world.channel, "quote import", file=("q.json", b"{not json"))
    junk_text = junk.followups[-1].content if junk.followups else junk.response.content
    assert "is not JSON" in junk_text
    assert len(world.user_errors()) == 2


async def test_a_malformed_import_file_is_a_clear_refusal_not_a_crash(world):
    files = {
        "a list": [],
        "no quotes": {"format": "herbot-quotes", "version": 1},
        "a bad source": {"format": "herbot-quotes", "version": 1, "sources": [1], "quotes": []},
        "a list as source": {
            "format": "herbot-quotes",
            "version": 1,
            "quotes": [{"id": "q-1", "text": "t", "speaker": "S", "source": ["discord"]}],
        },
        "a number as locator": {
            "format": "herbot-quotes",
            "version": 1,
            "quotes": [
                {"id": "q-2", "text": "t", "speaker": "S", "source": "discord", "locator": 7}
            ],
        },
        "a list as origin": {
            "format": "herbot-quotes",
            "version": 1,
            "quotes": [
                {"id": "q-3", "text": "t", "speaker": "S", "source": "discord", "origin": []}
            ],
        },
    }
    for what, data in files.items():
        result = await world.mod.slash(
            world.channel, "quote import", file=("q.json", json.dumps(data).encode())
        )
        text = result.followups[-1].content if result.followups else result.response.content
        assert result.ephemeral and "Nothing was imported" in text, what
    assert len(world.user_errors()) == len(files)  # every one a user error, none unexpected
    assert await quote_store.get(world.db, "q-2", world.guild.id, any_status=True) is None


async def test_import_through_the_forms_upload(world):
    """/quote import without the option opens a form whose upload takes the file."""
    qid = await approved(world, "Uploaded in a form, not typed.")
    exported = await world.mod.slash(world.channel, "quote export")
    data = json.loads(await exported.response.attachments[0].read())
    async with world.db.transaction() as tx:
        await tx.execute("DELETE FROM quotes WHERE id = ?", (qid,))

    shown = await world.mod.slash(world.channel, "quote import")
    assert shown.modal is not None and shown.modal["title"] == "Import quotes"
    done = await world.mod.submit_modal(shown, {"file": ("quotes.json", json.dumps(data).encode())})
    assert done.ephemeral and "1 added" in done.response.content
    assert "Uploaded in a form" in cards.text(
        await world.alice.slash(world.channel, "quote show", id=qid)
    )

    refused = await world.alice.slash(world.channel, "quote import")
    assert refused.modal is None and "Only moderators" in refused.response.content
    world.user_errors()
