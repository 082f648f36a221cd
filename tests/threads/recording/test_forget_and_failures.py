"""Through the real bot: forget-me leaves nothing of a member, failures leave nothing half-done."""

from __future__ import annotations

from cogs.threads.privacy import PRIVACY
from cogs.threads.transcripts.exporters import FORMATS
from tests import engines
from tests.threads.conftest import cog, export, flush

SECRET = "zanzibarquux"


async def count(world, sql, *params):
    return await world.db.fetchval(sql, params)


async def traces(world, user_id: int) -> dict[str, int]:
    """Rows of every personal column of this feature that still hold the id or the word."""
    found = {}
    for table, columns in PRIVACY.personal_columns.items():
        if table in PRIVACY.fts_tables:
            continue  # read through MATCH below: its content lives in recorded_versions
        for column in columns:
            found[f"{table}.{column}"] = await count(
                world,
                f"SELECT COUNT(*) FROM {table}"
                f" WHERE CAST({column} AS TEXT) = ? OR CAST({column} AS TEXT) LIKE ?",
                str(user_id),
                f"%{SECRET}%",
            )
    search = (
        "SELECT rowid FROM recorded_versions_fts WHERE recorded_versions_fts MATCH ?"
        if world.db.dialect == "sqlite"  # PostgreSQL: FTS5's stand-in is the tsvector column
        else "SELECT rowid FROM recorded_versions WHERE fts @@ plainto_tsquery('english', ?)"
    )
    found["recorded_versions_fts"] = len(await world.db.fetchall(search, (SECRET,)))
    return found


async def test_forget_me_leaves_nothing_of_the_member_in_the_recording_tables(world, thread):
    mod = world.mod
    await mod.slash(thread, "record start")  # they started it: started_by and an event
    first = await mod.send(thread, f"{SECRET} is the word I use")
    await world.alice.send(thread, "alice keeps her own words", reply_to=first)
    await flush(world)
    await mod.edit(first, f"{SECRET}, edited: a second version")
    await mod.send(thread, f"still queued: {SECRET} again")
    assert cog(world).recorder.pending == 2  # the edit and the last message wait in memory
    assert any((await traces(world, mod.id)).values())

    shown = await mod.slash(thread, "privacy forget-me")
    done = await mod.click(shown.response, label="Yes, delete my data")
    text = done.response.content
    assert "2 recorded messages" in text
    assert "1 thread event no longer naming you" in text
    assert "1 recording no longer naming you" in text

    await flush(world)  # nothing that was queued comes back afterwards
    assert await traces(world, mod.id) == dict.fromkeys(await traces(world, mod.id), 0)
    assert await count(world, "SELECT COUNT(*) FROM recorded_messages") == 1
    assert await count(world, "SELECT COUNT(*) FROM thread_recordings") == 1  # others' record
    for fmt in FORMATS:
        (part,) = await export(world, world.alice, thread, fmt)
        body = (await part.read()).decode()
        assert str(mod.id) not in body and SECRET not in body, fmt
        assert "alice keeps her own words" in body
    # Their words are not left in the file either (FTS merged, secure delete, WAL truncated).
    # PostgreSQL has no file of ours: its free space is VACUUM's business.
    files = [world.db.path, world.db.path.with_name("herbot.db-wal")] if world.db.path else []
    for path in files:
        if path.exists():
            assert SECRET.encode() not in path.read_bytes(), path.name

    # Forgetting does not opt out: what they write from now on is recorded again. (A forget
    # withholds what was written until its moment; simcord's clock stands still unless told.)
    await world.env.advance_time(1)
    await mod.send(thread, "a new beginning")
    await flush(world)
    assert await count(world, "SELECT COUNT(*) FROM recorded_messages WHERE author_id = ?", mod.id)


async def test_a_forget_me_that_fails_half_way_keeps_everything_and_loses_nothing(world, recorded):
    mod = world.mod
    await mod.send(recorded, "written before the failure")
    await flush(world)
    await mod.send(recorded, "still queued during the failure")
    async with world.db.transaction() as tx:  # the last step of threads' forget will fail
        await engines.refuse(tx, "refuse", "thread_recordings", "UPDATE OF started_by", "refused")
    shown = await mod.slash(recorded, "privacy forget-me")
    failed = await mod.click(shown.response, label="Yes, delete my data")
    assert "Removed" not in failed.response.content
    assert len(world.env.errors) == 1  # the one expected failure, acknowledged

    # Nothing of the forget was kept: the messages, the event and the recording still name
    # them, and what was queued is still queued (not lost, not written twice).
    mine = "SELECT COUNT(*) FROM recorded_messages WHERE author_id = ?"
    assert await count(world, mine, mod.id) == 1
    assert await count(world, "SELECT started_by FROM thread_recordings") == mod.id
    assert cog(world).recorder.pending == 1
    await flush(world)
    assert await count(world, mine, mod.id) == 2
    assert await count(world, "SELECT COUNT(*) FROM recorded_versions") == 2

    async with world.db.transaction() as tx:
        await engines.allow(tx, "refuse", "thread_recordings")
    shown = await mod.slash(recorded, "privacy forget-me")
    done = await mod.click(shown.response, label="Yes, delete my data")
    assert "2 recorded messages" in done.response.content
    assert await count(world, mine, mod.id) == 0


async def test_a_failed_flush_reports_nothing_written_and_keeps_its_batch(world, recorded):
    recorder = cog(world).recorder
    async with world.db.transaction() as tx:
        await engines.refuse(tx, "boom", "recorded_versions", "INSERT", "disk full")
    await world.alice.send(recorded, "one")
    await world.bob.send(recorded, "two")
    written = recorder.flushed_total
    await world.env.advance_time(cog(world).config.flush_interval)  # the timer's flush fails
    assert recorder.flushed_total == written  # nothing reported written
    assert recorder.pending == 2  # the batch is kept, in order
    assert await count(world, "SELECT COUNT(*) FROM recorded_messages") == 0  # all rolled back

    async with world.db.transaction() as tx:
        await engines.allow(tx, "boom", "recorded_versions")
    await world.env.advance_time(cog(world).config.flush_interval)  # the next attempt
    assert recorder.pending == 0 and recorder.flushed_total == written + 2
    assert [
        r[0]
        for r in await world.db.fetchall("SELECT content FROM recorded_versions ORDER BY rowid")
    ] == ["one", "two"]


async def test_opt_out_redacts_queued_messages_too_and_refuses_a_save_as_quote(world, recorded):
    await world.alice.send(recorded, f"the {SECRET} I will take back")
    found = await world.bob.slash(recorded, "transcript search", query=SECRET)
    await world.alice.send(recorded, f"queued {SECRET} when I opted out")
    done = await world.alice.slash(recorded, "privacy opt-out", scope="recording")
    assert "2 recorded messages redacted" in done.response.content
    await flush(world)
    assert await count(world, "SELECT COUNT(*) FROM recorded_versions") == 0
    assert await count(world, "SELECT COUNT(*) FROM recorded_messages WHERE redacted = 1") == 2
    refused = await world.bob.click(found.response, label="Save 1 as quote")
    assert "no longer kept" in refused.response.content
    assert await count(world, "SELECT COUNT(*) FROM quotes WHERE origin = 'transcript'") == 0


async def test_a_refused_message_is_quarantined_and_every_other_message_is_written(world, recorded):
    from tests.threads.conftest import make_thread

    recorder = cog(world).recorder
    other = await make_thread(world, "The other thread")
    await world.mod.slash(other, "record start")
    async with world.db.transaction() as tx:  # the database refuses one row, and only that one
        await engines.refuse(
            tx, "bad_row", "recorded_versions", "INSERT", "refused",
            where=f"NEW.content LIKE '%{SECRET}%'",
        )  # fmt: skip
    await world.alice.send(recorded, "before the bad one")
    await world.bob.send(recorded, f"the {SECRET} the database refuses")
    await world.alice.send(recorded, "after the bad one")
    await world.alice.send(other, "meanwhile in another thread")
    await world.env.advance_time(cog(world).config.flush_interval)  # one timer flush

    assert recorder.pending == 0  # nothing waits in memory: a crash now loses nothing
    kept = "SELECT content FROM recorded_versions ORDER BY rowid"
    assert [r[0] for r in await world.db.fetchall(kept)] == [
        "before the bad one",
        "after the bad one",
        "meanwhile in another thread",
    ]
    held = await world.db.fetchall("SELECT error_id, member_id, item FROM recorded_quarantine")
    assert [(r["member_id"], SECRET in r["item"]) for r in held] == [(world.bob.id, True)]
    status = await world.mod.slash(recorded, "record status")
    assert "1 recorded item could not be written" in status.response.content
    assert f"`{held[0]['error_id']}`" in status.response.content

    # It holds bob's words: /privacy counts it, and forget-me deletes it.
    shown = await world.bob.slash(recorded, "privacy status")
    assert "1 recorded item held in quarantine" in shown.response.content
    shown = await world.bob.slash(recorded, "privacy forget-me")
    done = await world.bob.click(shown.response, label="Yes, delete my data")
    assert "1 recorded item held in quarantine" in done.response.content
    assert await count(world, "SELECT COUNT(*) FROM recorded_quarantine") == 0
    status = await world.mod.slash(recorded, "record status")
    assert "quarantine" not in status.response.content


async def test_opt_out_deletes_the_members_words_held_in_quarantine(world, recorded):
    async with world.db.transaction() as tx:
        await engines.refuse(
            tx, "bad_row", "recorded_versions", "INSERT", "refused",
            where=f"NEW.content LIKE '%{SECRET}%'",
        )  # fmt: skip
    await world.alice.send(recorded, f"my {SECRET} words")
    await world.bob.send(recorded, "bob's words")
    await flush(world)
    assert await count(world, "SELECT COUNT(*) FROM recorded_quarantine") == 1
    done = await world.alice.slash(recorded, "privacy opt-out", scope="recording")
    assert "1 recorded message held in quarantine, deleted" in done.response.content
    assert await count(world, "SELECT COUNT(*) FROM recorded_quarantine") == 0
