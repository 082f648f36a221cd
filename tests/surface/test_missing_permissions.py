"""When Discord refuses herbot's own post: the member reads what is missing, nothing is half-made.

A 403 (Missing Permissions, 50013) on the bot's post, thread or event used to answer
"Something went wrong on my side (error id ...)" and leave an open poll with no message (whose
result was posted later, for a poll nobody saw) or a debate with no thread. Now the answer names
the permissions the refused call needs and where (``bot.errors.bot_call``), and what was made
for it is undone. Failures come two ways, as on Discord: an injected 403 (the bot's cached
permissions look fine, Discord says no) and a channel overwrite that denies the bot.
"""

from __future__ import annotations

import discord

from cogs.polls import store as poll_store
from tests import cards
from tests.helpers import with_embed_title

REFUSED = {"status": 403, "code": 50013, "message": "Missing Permissions"}
DAY = 24 * 3600


def refuse(world, method: str, path: str) -> None:
    world.env.inject_error(method, path, **REFUSED)


def results(channel) -> list:
    return [m for m in channel.history() if cards.text(m).startswith("### Result of poll #")]


def assert_names(world, answer, *permissions: str, where: str) -> None:
    """The member reads which permissions herbot lacks and where; no error id to report."""
    content = answer.response.content
    assert world.user_errors() == [content]  # answered as something to act on, not a crash
    assert answer.ephemeral, content
    assert "Something went wrong" not in content, content
    for permission in permissions:
        assert f"**{permission}**" in content, content
    assert where in content, content


async def unposted_polls(db) -> int:
    return int(await db.fetchval("SELECT count(*) FROM polls WHERE message_id IS NULL"))


async def test_poll_create_refused_names_send_messages_and_leaves_no_poll(world):
    refuse(world, "POST", f"/channels/{world.channel.id}/messages")
    answer = await world.mod.slash(
        world.channel, "poll create", motion="altman-misreads-her", duration="1h"
    )
    assert_names(world, answer, "Send Messages", where=world.channel.mention)
    assert await unposted_polls(world.db) == 0
    assert await world.db.fetchval("SELECT count(*) FROM polls") == 0
    assert with_embed_title(world.channel, "Poll #") == []
    # Permissions fixed, a restart, the deadline long past: no result for a poll nobody saw.
    await world.restart()
    await world.env.advance_time(2 * 3600)
    assert results(world.channel) == []
    # And the next poll works.
    again = await world.mod.slash(world.channel, "poll create", motion="altman-misreads-her")
    assert "is open until" in again.response.content


async def test_poll_create_where_the_bot_may_not_post_says_so(world):
    quiet = world.guild.create_text_channel(
        "quiet", overwrites={world.bot.user: discord.PermissionOverwrite(send_messages=False)}
    )
    answer = await world.mod.slash(quiet, "poll create", motion="altman-misreads-her")
    assert_names(world, answer, "Send Messages", where=quiet.mention)
    assert await world.db.fetchval("SELECT count(*) FROM polls") == 0


async def test_debate_start_refused_a_thread_names_it_and_leaves_no_debate(world):
    refuse(world, "POST", f"/channels/{world.channel.id}/messages/*/threads")
    answer = await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    assert_names(world, answer, "Create Public Threads", where=world.channel.mention)
    assert await world.db.fetchval("SELECT count(*) FROM debates") == 0
    assert await world.db.fetchval("SELECT count(*) FROM polls") == 0
    assert world.channel.history() == []  # the starter message went with it
    assert world.channel.threads == []
    await world.restart()
    await world.env.advance_time(DAY)
    assert world.channel.history() == [] and results(world.channel) == []
    opened = await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    assert "is open in" in opened.response.content


async def test_debate_start_where_the_bot_may_not_speak_in_threads_undoes_the_thread(world):
    debates = world.guild.create_text_channel(
        "debates",
        overwrites={world.bot.user: discord.PermissionOverwrite(send_messages_in_threads=False)},
    )
    answer = await world.mod.slash(debates, "debate start", motion="altman-misreads-her")
    assert_names(world, answer, "Send Messages in Threads", where=debates.mention)
    assert await world.db.fetchval("SELECT count(*) FROM debates") == 0
    assert await world.db.fetchval("SELECT count(*) FROM polls") == 0
    assert debates.threads == []
    # The starter went too; Discord's own "started a thread" line stays, pointing nowhere.
    assert [m.type for m in debates.history()] == [discord.MessageType.thread_created]


async def test_a_scheduled_run_refused_leaves_no_poll_to_close_later(world):
    made = await world.mod.slash(
        world.channel,
        "poll schedule create",
        motion="altman-misreads-her",
        start="in 1h",
        repeat="daily",
        duration="2h",
    )
    assert "Scheduled poll #1 opens" in made.response.content
    refuse(world, "POST", f"/channels/{world.channel.id}/messages")
    await world.env.advance_time(3600)  # the first run: Discord refuses its post
    assert with_embed_title(world.channel, "Poll #") == []
    assert await unposted_polls(world.db) == 0
    await world.restart()  # nothing is posted late, and no result of it comes
    await world.env.advance_time(3 * 3600)
    assert with_embed_title(world.channel, "Poll #") == [] and results(world.channel) == []
    await world.env.advance_time(DAY)  # the next day's run posts as usual
    (posted,) = with_embed_title(world.channel, "Poll #")
    poll_id = int(posted.embeds[0].title.split("#")[1].split()[0])
    assert (await poll_store.get_poll(world.db, poll_id)).message_id == posted.id


async def test_debate_schedule_refused_names_create_events(world):
    refuse(world, "POST", f"/guilds/{world.guild.id}/scheduled-events")
    answer = await world.mod.slash(
        world.channel, "debate schedule", motion="altman-misreads-her", start="in 2h"
    )
    assert_names(world, answer, "Create Events", where="this server")
    assert await world.db.fetchval("SELECT count(*) FROM debate_events") == 0


async def test_record_start_refused_its_notice_records_nothing(world):
    refuse(world, "POST", f"/channels/{world.channel.id}/messages")
    answer = await world.mod.slash(world.channel, "record start")
    assert_names(world, answer, "Send Messages", where=world.channel.mention)
    assert await world.db.fetchval("SELECT count(*) FROM thread_recordings") == 0
    await world.alice.send(world.channel, "nobody told me this is recorded")
    assert await world.db.fetchval("SELECT count(*) FROM recorded_messages") == 0


def test_a_refusal_no_command_named_still_reads_as_something_to_act_on():
    """The tree's handler: a 403 from a call no ``bot_call`` wraps gets no error id."""
    from types import SimpleNamespace

    from discord import app_commands

    from bot.errors import describe

    response = SimpleNamespace(status=403, reason="Forbidden")
    refused = discord.Forbidden(response, {"code": 50013, "message": "Missing Permissions"})
    error = app_commands.CommandInvokeError(SimpleNamespace(name="x", qualified_name="x"), refused)
    assert "herbot a permission it needs here" in describe(error)
    blocked = discord.Forbidden(response, {"code": 50007, "message": "Cannot send messages"})
    assert (
        describe(
            app_commands.CommandInvokeError(SimpleNamespace(name="x", qualified_name="x"), blocked)
        )
        is None
    )
