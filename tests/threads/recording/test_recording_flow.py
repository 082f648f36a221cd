"""Recording through the real bot: messages, edits, deletes, replies, events, restarts."""

from __future__ import annotations

import json

import discord

from tests.threads.conftest import cog, export, flush, make_thread, rows


async def test_start_posts_notice_and_records_messages_edits_deletes(world, recorded):
    notice = recorded.history()[-1]
    assert "being recorded" in notice.content and "/privacy opt-out" in notice.content

    first = await world.alice.send(recorded, "Samantha is a person in every way that matters")
    reply = await world.bob.send(recorded, "She is software, though", reply_to=first)
    await world.alice.edit(first, "Samantha is a person, in the ways that matter")
    gone = await world.bob.send(recorded, "oops wrong thread")
    await world.bob.delete(gone)
    await flush(world)

    assert await rows(
        world,
        "SELECT message_id, author_id, reply_to, deleted_at IS NOT NULL FROM recorded_messages "
        "ORDER BY message_id",
    ) == [
        (first.id, world.alice.id, None, 0),
        (reply.id, world.bob.id, first.id, 0),
        (gone.id, world.bob.id, None, 1),
    ]
    # The deleted message keeps a tombstone and no text.
    assert await rows(
        world,
        "SELECT message_id, version, content FROM recorded_versions ORDER BY message_id, version",
    ) == [
        (first.id, 1, "Samantha is a person in every way that matters"),
        (first.id, 2, "Samantha is a person, in the ways that matter"),
        (reply.id, 1, "She is software, though"),
    ]


async def test_messages_reach_the_disk_within_one_flush_interval(world, recorded):
    await world.alice.send(recorded, "batched, not yet written")
    assert cog(world).recorder.pending == 1
    await world.env.advance_time(cog(world).config.flush_interval)
    assert cog(world).recorder.pending == 0
    assert await rows(world, "SELECT COUNT(*) FROM recorded_messages") == [(1,)]
    # Idle, the flush timer stops: time can pass without a tick every second.
    await world.env.advance_time(cog(world).config.flush_interval)
    assert world.bot.scheduler.due_at("threads:flush") is None  # an idle bot has no timer
    await world.env.advance_time(10 * 60)
    await world.alice.send(recorded, "the timer is armed again")
    await world.env.advance_time(cog(world).config.flush_interval)
    assert await rows(world, "SELECT COUNT(*) FROM recorded_messages") == [(2,)]


async def test_unrecorded_threads_and_the_bots_own_messages_are_not_kept(world, thread):
    await world.alice.send(thread, "nobody is recording this")
    await world.alice.send(world.channel, "nor this")
    await flush(world)
    assert await rows(world, "SELECT COUNT(*) FROM recorded_messages") == [(0,)]


async def test_renames_archive_and_lock_are_kept_as_events(world, recorded):
    await world.alice.send(recorded, "before the rename")
    thread = world.bot.get_channel(recorded.id)
    await thread.edit(name="Samantha: person or program?")
    await thread.edit(locked=True)
    await thread.edit(archived=True)
    await world.env.settle()
    await flush(world)
    kinds = await rows(world, "SELECT kind, detail FROM thread_events ORDER BY id")
    assert kinds == [
        ("recording_started", "manual"),
        ("renamed", "Samantha: person or program?"),
        ("locked", ""),
        ("archived", ""),
    ]
    files = await export(world, world.mod, recorded, "md")
    assert "Thread renamed to “Samantha: person or program?”" in (await files[0].read()).decode()


async def test_keep_unarchived_reopens_an_archived_recorded_thread(world, thread):
    await world.mod.slash(thread, "record start", keep_unarchived=True)
    live = world.bot.get_channel(thread.id)
    await live.edit(archived=True)
    await world.env.settle()
    assert world.bot.get_channel(thread.id).archived is False
    await flush(world)
    kinds = [k for (k,) in await rows(world, "SELECT kind FROM thread_events ORDER BY id")]
    assert "archived" in kinds


async def test_only_moderators_start_and_stop(world, thread):
    result = await world.alice.slash(thread, "record start")
    assert "Only moderators" in result.response.content
    assert world.user_errors()
    await world.mod.slash(thread, "record start")
    result = await world.mod.slash(thread, "record stop")
    assert "Recording stopped" in result.response.content
    await world.alice.send(thread, "after the stop")
    await flush(world)
    assert await rows(world, "SELECT COUNT(*) FROM recorded_messages") == [(0,)]
    status = await world.alice.slash(thread, "record status")
    assert "stopped" in status.response.content


async def test_backfill_keeps_earlier_history(world, thread):
    older = [await world.alice.send(thread, f"earlier {i}") for i in range(5)]
    await world.bob.edit(await world.bob.send(thread, "typo"), "fixed")
    result = await world.mod.slash(thread, "record start", backfill=100)
    assert "Kept 6 earlier messages" in result.response.content
    contents = await rows(
        world,
        "SELECT m.message_id, v.content FROM recorded_messages m JOIN recorded_versions v "
        "USING (message_id) ORDER BY m.message_id, v.version",
    )
    assert [c for _, c in contents] == [f"earlier {i}" for i in range(5)] + ["fixed"]
    assert contents[0][0] == older[0].id


async def test_clean_shutdown_flushes_and_recording_resumes_after_restart(world, recorded):
    sent = [await world.alice.send(recorded, f"before restart {i}") for i in range(3)]
    assert cog(world).recorder.pending == 3  # queued, not yet written
    # A clean shutdown: Bot.close() removes every cog first, which flushes the queue.
    await world.bot.remove_cog("ThreadRecording")
    await world.restart()
    assert await rows(world, "SELECT COUNT(*) FROM recorded_messages") == [(3,)]
    await world.bob.send(recorded, "after restart")
    await world.alice.edit(sent[0], "before restart 0, edited after")
    status = await world.mod.slash(recorded, "record status")
    text = status.response.content
    assert "**recording**" in text and "4 messages kept" in text
    assert await rows(
        world, "SELECT MAX(version) FROM recorded_versions WHERE message_id = ?", sent[0].id
    ) == [(2,)]


async def test_a_crash_loses_the_last_flush_window_only_until_catch_up_fetches_it(world, recorded):
    for i in range(3):
        await world.alice.send(recorded, f"flushed {i}")
    await world.env.advance_time(cog(world).config.flush_interval)  # one batch window passes
    await world.alice.send(recorded, "still in the queue when the process dies")
    await world.restart()  # no clean shutdown: tasks are cancelled, like a killed process
    kept = await rows(
        world,
        "SELECT v.content, m.recovered FROM recorded_versions v JOIN recorded_messages m "
        "USING (message_id) ORDER BY message_id",
    )
    # The queued message died with the process; catch-up fetched it back from the history.
    assert kept == [
        ("flushed 0", 0),
        ("flushed 1", 0),
        ("flushed 2", 0),
        ("still in the queue when the process dies", 1),
    ]


async def test_debate_threads_are_recorded_automatically(world):
    thread = await make_thread(world, "Debate: Altman misreads Her")

    # The debate helper dispatches from its own command handler; stand in for it with a
    # listener, so the event runs inside the bot like the real one.
    async def debate_helper(message):
        if message.content == "open the debate":
            world.bot.dispatch("herbot_debate_thread_opened", message.channel, 7)

    world.bot.add_listener(debate_helper, "on_message")
    await world.mod.send(thread, "open the debate")
    assert "being recorded" in thread.history()[-1].content
    await world.alice.send(thread, "Opening statement")
    await flush(world)
    world.bot.remove_listener(debate_helper, "on_message")
    assert await rows(world, "SELECT reason, keep_unarchived FROM thread_recordings") == [
        ("debate", 1)
    ]
    assert await rows(world, "SELECT COUNT(*) FROM recorded_messages") == [(1,)]


async def test_channels_listed_in_guild_settings_are_recorded_automatically(world):
    from bot import guild_settings

    async with world.db.transaction() as tx:
        await guild_settings.set_value(
            tx, world.guild.id, "record_channel_ids", str(world.channel.id)
        )
    await world.alice.send(world.channel, "first words in a recorded channel")
    await world.alice.send(world.channel, "second words")
    await flush(world)
    assert await rows(world, "SELECT reason FROM thread_recordings") == [("channel",)]
    assert await rows(world, "SELECT COUNT(*) FROM recorded_messages") == [(2,)]
    notices = [m for m in world.channel.history() if "being recorded" in m.content]
    assert len(notices) == 1
    # A moderator's stop is respected: the next message does not restart it.
    await world.mod.slash(world.channel, "record stop")
    await world.alice.send(world.channel, "third")
    await flush(world)
    assert await rows(world, "SELECT COUNT(*) FROM recorded_messages") == [(2,)]


async def test_attachments_and_bulk_deletes(world, recorded):
    with_file = await world.alice.send(
        recorded, "the letter", attachments=[("letter.txt", b"Dear Catherine")]
    )
    doomed = [await world.bob.send(recorded, f"spam {i}") for i in range(3)]
    live = world.bot.get_channel(recorded.id)
    await live.delete_messages([discord.Object(id=m.id) for m in doomed])
    await world.env.settle()
    await flush(world)
    files = await export(world, world.mod, recorded, "json")
    items = [i for i in json.loads(await files[0].read())["items"] if i["type"] == "message"]
    assert items[0]["id"] == str(with_file.id)
    (attachment,) = items[0]["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("letter.txt", 14)
    assert [bool(i["deleted_at"]) for i in items[1:]] == [True, True, True]
    assert all(i["content"] is None for i in items[1:])
