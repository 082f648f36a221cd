"""Catch-up after downtime through the real bot: herbot is down, members go on, it restarts.

"Down" is the gateway no longer delivering to the bot (its feed unsubscribed from simcord's
backend) while members post, edit and delete; then a restart like a new process, whose
catch-up fetches the channel's history over simcord's REST.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from cogs.threads.config import ThreadsConfig
from cogs.threads.recording import catchup_store
from cogs.threads.recording.catchup import Kept, Seen, plan_page, resume_point
from tests.threads.conftest import export, flush, rows
from tests.threads.recording.test_fidelity import PNG


def go_down(world: Any) -> None:
    """From now on the bot sees nothing: no event reaches it until the restart."""
    world.env.backend.subscribers.remove(world.env._gateway_feed)


def catchup(world: Any) -> Any:
    found = world.bot.get_cog("CatchUp")
    assert found is not None
    return found


async def transcript(world: Any, where: Any) -> dict[str, Any]:
    files = await export(world, world.mod, where, "json")
    return json.loads(await files[0].read())


async def test_what_happened_while_down_is_in_the_transcript_after_the_restart(world, recorded):
    kept = [await world.alice.send(recorded, f"before the outage {i}") for i in range(3)]
    done = await world.members[2].slash(recorded, "privacy opt-out", scope="recording")
    assert done.ephemeral
    await flush(world)
    go_down(world)
    missed = [await world.bob.send(recorded, f"while down {i}") for i in range(3)]
    await world.members[2].send(recorded, "carol, opted out, while down")
    await world.alice.edit(kept[1], "before the outage 1, edited while down")
    await world.alice.delete(kept[2])
    await world.bob.delete(missed[2])  # posted and deleted while down: never known
    await world.restart()

    doc = await transcript(world, recorded)
    by_id = {int(m["id"]): m for m in doc["items"] if m["type"] == "message"}
    assert [by_id[m.id]["content"] for m in missed[:2]] == ["while down 0", "while down 1"]
    assert missed[2].id not in by_id
    assert by_id[kept[1].id]["content"] == "before the outage 1, edited while down"
    assert [v["content"] for v in by_id[kept[1].id]["versions"]] == [
        "before the outage 1",
        "before the outage 1, edited while down",
    ]
    assert by_id[kept[2].id]["deleted_at"] is not None and by_id[kept[2].id]["content"] is None
    assert by_id[kept[2].id]["deleted_while_down"] and not by_id[kept[0].id]["deleted_while_down"]
    assert [by_id[m.id]["recovered"] for m in (kept[0], missed[0])] == [False, True]
    files = await export(world, world.mod, recorded, "md")
    text = (await files[0].read()).decode()
    assert "while down 0" in text and "*(recovered after downtime)*" in text
    assert "message deleted while herbot was down" in text
    assert "carol" not in json.dumps(doc)
    marks = await rows(
        world,
        "SELECT message_id, recovered, deleted_while_down FROM recorded_messages "
        "ORDER BY message_id",
    )
    assert marks == [
        (kept[0].id, 0, 0),
        (kept[1].id, 0, 0),
        (kept[2].id, 0, 1),
        (missed[0].id, 1, 0),
        (missed[1].id, 1, 0),
    ]
    assert (
        await rows(
            world,
            "SELECT author_id FROM recorded_messages WHERE author_id = ?",
            world.members[2].id,
        )
        == []
    )
    last = catchup(world).last
    assert (last.recovered, last.edited, last.deleted, last.truncated) == (2, 1, 1, [])
    assert await rows(world, "SELECT * FROM recording_catchup") == []  # nothing left to fetch


async def test_recovered_messages_keep_their_place_and_live_ones_go_on(world, recorded):
    await world.alice.send(recorded, "first")
    await flush(world)
    go_down(world)
    await world.bob.send(recorded, "missed")
    await world.restart()
    await world.alice.send(recorded, "live again")
    await flush(world)
    got = await rows(
        world,
        "SELECT v.content, m.recovered FROM recorded_messages m JOIN recorded_versions v "
        "USING (message_id) ORDER BY message_id",
    )
    assert got == [("first", 0), ("missed", 1), ("live again", 0)]
    # A second restart with nothing missed stores nothing twice and marks nothing.
    await world.restart()
    assert catchup(world).last.recovered == 0
    assert len(await rows(world, "SELECT 1 FROM recorded_messages")) == 3


async def test_more_missed_than_the_bound_keeps_the_newest_and_says_so(world, recorded, caplog):
    await world.alice.send(recorded, "kept live")
    await flush(world)
    go_down(world)
    missed = [await world.bob.send(recorded, f"missed {i}") for i in range(7)]
    with_threads(world, catchup_max=5)
    await world.restart()
    got = await rows(
        world, "SELECT message_id FROM recorded_messages WHERE recovered = 1 ORDER BY 1"
    )
    assert [r[0] for r in got] == [m.id for m in missed[2:]]  # the newest 5
    assert catchup(world).last.truncated == [recorded.id]
    assert "missed more than 5 messages" in caplog.text


def with_threads(world: Any, **values: Any) -> None:
    """The next restart runs with these [threads] settings."""
    sections = dict(world.settings.sections)
    sections["threads"] = {**world.settings.section("threads"), **values}
    world.settings = replace(world.settings, sections=sections)


async def test_a_pass_over_its_budget_is_resumed_from_its_stored_cursor(world, recorded):
    await world.alice.send(recorded, "kept live")
    await flush(world)
    go_down(world)
    missed = [await world.bob.send(recorded, f"missed {i}") for i in range(150)]
    with_threads(world, catchup_per_start=100)
    await world.restart()
    last = catchup(world).last
    assert (last.recovered, last.waiting) == (100, 1)
    got = await rows(world, "SELECT message_id FROM recorded_messages WHERE recovered = 1")
    assert sorted(r[0] for r in got) == [m.id for m in missed[50:]]  # the newest page first
    cursor = await rows(world, "SELECT before_id, fetched FROM recording_catchup")
    assert cursor == [(missed[50].id, 100)]
    with_threads(world, catchup_per_start=50_000)
    await world.restart()  # from the newest again (a restart): the older 50, nothing twice
    got = await rows(world, "SELECT message_id FROM recorded_messages WHERE recovered = 1")
    assert sorted(r[0] for r in got) == [m.id for m in missed]
    assert await rows(world, "SELECT * FROM recording_catchup") == []


def test_a_page_plan_names_new_edited_and_deleted_messages():
    from datetime import UTC, datetime

    at = datetime(2026, 1, 1, tzinfo=UTC)
    kept = {11: Kept(11, None), 12: Kept(12, None), 13: Kept(13, "2025-12-31T00:00:00.000000Z")}
    page = [Seen(14, None), Seen(13, at), Seen(11, None), Seen(9, None)]  # 9: below the gap
    plan = plan_page(10, None, page, kept, limit=100)
    assert (plan.new, plan.edited, plan.deleted, plan.next_before, plan.ended) == (
        (14,),
        (13,),
        (12,),
        11,
        True,
    )
    # A full page: only what lies down to its oldest id can be missing.
    full = plan_page(10, 20, [Seen(13, None)], {12: Kept(12, None), 19: Kept(19, None)}, limit=1)
    assert full.deleted == (19,) and not full.ended and full.next_before == 13
    assert resume_point([30, 20, 10], recheck=1, floor=5) == 20
    assert resume_point([30, 20], recheck=5, floor=5) == 5
    assert resume_point([30, 20], recheck=5, floor=25) == 19


def test_the_bounds_are_settings_with_defaults():
    config = ThreadsConfig.from_section({})
    assert (config.catchup_max, config.catchup_per_start, config.catchup_recheck) == (
        5_000,
        50_000,
        100,
    )
    assert catchup_store.Gap  # the store's row type is public for the cog


async def test_attachments_posted_while_down_are_saved_like_live_ones(world, thread):
    done = await world.mod.slash(thread, "record start", save_attachments=True)
    assert "Attachments are saved too" in done.response.content
    await flush(world)
    go_down(world)
    missed = await world.bob.send(thread, "the rooftop, while down", attachments=[("r.png", PNG)])
    await world.restart()
    recording = world.bot.get_cog("ThreadRecording")
    await recording.saving_done()
    recovered = "SELECT recovered FROM recorded_messages WHERE message_id = ?"
    assert await rows(world, recovered, missed.id) in ([(1,)], [(True,)])
    assert await rows(world, "SELECT COUNT(*), SUM(size) FROM recorded_files") == [(1, len(PNG))]
    assert await rows(world, "SELECT message_id FROM recorded_attachment_files") == [(missed.id,)]


async def test_a_catch_up_left_claimed_by_a_process_that_died_is_taken_over(world, recorded):
    from datetime import timedelta

    from bot import claims
    from cogs.threads.recording.catchup_cog import CatchUp

    await world.alice.send(recorded, "before the crash")
    await flush(world)
    go_down(world)
    missed = await world.bob.send(recorded, "while the dead process held the catch-up")
    async with world.db.transaction() as tx:  # a process opened the gap, claimed it, died
        await catchup_store.open_gaps(tx, now=world.bot.now(), recheck=100)
        (gap,) = await catchup_store.pending_gaps(tx)
        taken = await claims.claim(
            tx, CatchUp._key(gap), owner="dead:1", now=world.bot.now(), lease=timedelta(hours=1)
        )
        assert taken is not None
    await world.env.advance_time(5)  # the new process starts a little later
    await world.restart()
    doc = await transcript(world, recorded)
    kept = {int(m["id"]): m for m in doc["items"] if m["type"] == "message"}
    assert kept[missed.id]["recovered"] is True
