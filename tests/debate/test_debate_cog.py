"""Debate events through the real bot: phases, queues, timers, votes, result, restarts."""

from __future__ import annotations

import dataclasses

from bot.pacing import EditBudget
from cogs.debate import machine, store
from cogs.polls import store as poll_store
from tests.helpers import (
    debate_thread,
    panel,
    panel_text,
    texts,
    vote_message,
    with_embed_title,
    write,
)


async def start(world, motion="altman-misreads-her", *, paced=False):
    """Open a debate. Unless ``paced``, the panel is redrawn on every change: these tests act
    faster than Discord's 5 edits per 5 s (the pacing has its own tests)."""
    if not paced:
        world.bot.get_cog("Debates")._panel_budget = EditBudget(edits=10_000)
    result = await world.mod.slash(world.channel, "debate start", motion=motion)
    assert result.ephemeral and "is open in" in result.response.content
    return debate_thread(world)


async def ctl(member, thread, label):
    return await member.click(panel(thread), label=label)


def count(thread, fragment):
    return sum(fragment in t for t in texts(thread))


async def test_full_debate_with_20_members(world):
    opened = []

    async def on_opened(thread, debate_id):
        opened.append((thread.id, debate_id))

    world.bot.add_listener(on_opened, "on_herbot_debate_thread_opened")
    m = await world.add_members(20)
    thread = await start(world)
    assert opened == [(thread.id, 1)]  # the thread-recording hook fired
    assert "**Phase:** Pre-debate vote" in panel_text(thread)

    # Pre-debate vote: 6 For, 8 Against, 6 Undecided (+ alice, For, who will not vote after).
    pre = vote_message(thread, "pre")
    await m[0].click(pre, label="Against")
    changed = await m[0].click(pre, label="For")  # a change of mind before the debate
    assert "from **Against** to **For**" in changed.response.content
    for i in range(1, 6):
        await m[i].click(pre, label="For")
    for i in range(6, 14):
        await m[i].click(pre, label="Against")
    for i in range(14, 20):
        await m[i].click(pre, label="Undecided")
    await world.alice.click(pre, label="For")
    assert "hidden" in vote_message(thread, "pre").embeds[0].description

    # Speakers queue up.
    for member, side in ((m[0], "For"), (m[6], "Against"), (m[1], "For"), (m[7], "Against")):
        joined = await ctl(member, thread, f"Speak {side}")
        assert joined.ephemeral and "in the queue" in joined.response.content
    assert "**For queue (2):**" in panel_text(thread)
    assert "**Against queue (2):**" in panel_text(thread)

    # Opening For: a full 5-minute speech with both warnings and the end notice.
    await ctl(world.mod, thread, "Next phase")
    assert not (await poll_store.get_poll(world.db, 1)).is_open  # the pre-vote closed
    assert "**Phase:** Opening statements: For" in panel_text(thread)
    await ctl(world.mod, thread, "Call next")
    assert count(thread, f"<@{m[0].id}> has the floor for **For**: 5:00") == 1
    assert f"**Floor:** <@{m[0].id}> speaks For" in panel_text(thread)
    assert "**Time left:** ends <t:" in panel_text(thread)  # a live countdown
    await world.env.advance_time(239)
    assert count(thread, "1 minute left") == 0
    await world.env.advance_time(1)
    assert count(thread, f"1 minute left for <@{m[0].id}>") == 1
    await world.env.advance_time(30)
    assert count(thread, "30 seconds left") == 1
    await world.env.advance_time(30)
    assert count(thread, f"Time is up for <@{m[0].id}>") == 1

    # Opening Against: paused, resumed, extended.
    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    await world.env.advance_time(100)
    await ctl(world.mod, thread, "Pause")
    assert "paused with 3:20 left" in panel_text(thread)
    await world.env.advance_time(1000)
    assert count(thread, f"Time is up for <@{m[6].id}>") == 0
    await ctl(world.mod, thread, "Resume")
    await ctl(world.mod, thread, "Extend +60s")
    await world.env.advance_time(259)
    assert count(thread, f"Time is up for <@{m[6].id}>") == 0
    await world.env.advance_time(1)
    assert count(thread, f"Time is up for <@{m[6].id}>") == 1

    # Rebuttals: the queue order decides.
    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    assert count(thread, f"<@{m[1].id}> has the floor for **For**") == 1
    await ctl(world.mod, thread, "Call next")
    assert count(thread, f"<@{m[7].id}> has the floor for **Against**") == 1

    # Audience questions through the modal.
    await ctl(world.mod, thread, "Next phase")
    shown = await ctl(world.alice, thread, "Ask a question")
    queued = await world.alice.submit_modal(shown, {"question": "Is Samantha a product?"})
    assert queued.ephemeral and "question is queued" in queued.response.content
    await ctl(world.mod, thread, "Call next")
    assert count(thread, f"Question from <@{world.alice.id}>") == 1
    assert count(thread, "> Is Samantha a product?") == 1

    # Closing statements.
    for side, speaker in (("For", m[0]), ("Against", m[6])):
        await ctl(world.mod, thread, "Next phase")
        await ctl(speaker, thread, f"Speak {side}")
        await ctl(world.mod, thread, "Call next")
        await world.env.advance_time(180)
    assert count(thread, f"Time is up for <@{m[0].id}>") == 2

    # Post-debate vote (m19 and alice do not vote again; bob only votes after).
    await ctl(world.mod, thread, "Next phase")
    post = vote_message(thread, "post")
    after = (
        ["For"] * 5
        + ["Against"]
        + ["Against"] * 4
        + ["For"] * 3
        + ["Undecided"]
        + ["For"] * 3
        + ["Against", "Undecided"]
    )
    for member, label in zip(m[:19], after, strict=True):
        await member.click(post, label=label)
    await world.bob.click(post, label="For")

    ended: list[int] = []

    async def on_ended(channel_id: int) -> None:
        ended.append(channel_id)

    world.bot.add_listener(on_ended, "on_herbot_conversation_ended")
    await ctl(world.mod, thread, "Next phase")
    result = with_embed_title(thread, "Debate #1 result")[-1].embeds[0]
    assert "**For** wins" in result.description
    shares = result.fields[0]
    assert shares.name == "Before → after (19 members voted both times)"
    assert shares.value.splitlines() == [
        "**For** 32% → 58% (+26 pts)",
        "**Against** 42% → 32% (-10 pts)",  # the shares as shown: each column adds to 100
        "**Undecided** 26% → 10% (-16 pts)",
    ]
    table = [line.split() for line in result.fields[1].value.strip("`\n").splitlines()[1:]]
    assert table == [
        ["For", "5", "1", "0"],
        ["Against", "3", "4", "1"],
        ["Undecided", "3", "1", "1"],
    ]
    assert result.fields[2].value == "Before: 21 · After: 20 · Both: 19 (only these count)"
    assert with_embed_title(thread, "Debate #1 result")[-1].attachments[0].filename.endswith(".png")
    assert "Next phase" not in str(panel(thread).components)  # finished: no controls
    assert "**Phase:** Finished" in panel_text(thread)

    again = await world.alice.slash(world.channel, "debate results", debate=1)
    assert again.response.embeds[0].fields[0].name == shares.name
    history = await world.alice.slash(world.channel, "debate history")
    assert "For wins" in history.response.content
    assert ended == [thread.id]  # told once: a recorded thread posts its transcript then


async def test_restart_mid_debate_keeps_votes_panel_and_timer(world):
    thread = await start(world)
    await world.alice.click(vote_message(thread, "pre"), label="Against")
    await ctl(world.bob, thread, "Speak For")
    await world.restart()
    same = await world.alice.click(vote_message(thread, "pre"), label="Against")
    assert "already voted **Against**" in same.response.content
    await ctl(world.mod, thread, "Next phase")  # panel buttons work on the new process
    await ctl(world.mod, thread, "Call next")
    await world.env.advance_time(200)
    await world.restart()  # mid-speech: 100 s left
    await world.env.advance_time(40)
    assert count(thread, "1 minute left") == 1
    await world.env.advance_time(60)
    assert count(thread, "30 seconds left") == 1
    assert count(thread, f"Time is up for <@{world.bob.id}>.") == 1
    await world.restart()
    await world.env.advance_time(600)
    assert count(thread, "Time is up") == 1  # never repeated
    assert (await poll_store.ballots(world.db, 1)) == {world.alice.id: 1}


async def test_end_of_time_missed_while_down_is_posted_once(world):
    thread = await start(world)
    await ctl(world.bob, thread, "Speak For")
    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    await world.bot.remove_cog("Debates")  # the process is gone: its timers too
    await world.env.advance_time(900)
    assert count(thread, "Time is up") == 0
    await world.restart()
    assert count(thread, "Time is up for") == 1
    assert count(thread, "(noticed after a restart)") == 1
    assert count(thread, "left for") == 0  # stale warnings are not posted late
    await world.restart()
    assert count(thread, "Time is up for") == 1


async def test_non_moderators_refused_on_every_control(world):
    thread = await start(world)
    await ctl(world.bob, thread, "Speak For")
    for label in ("Next phase", "Skip next phase", "Call next", "Pause", "Extend +60s"):
        refused = await ctl(world.alice, thread, label)
        assert refused.ephemeral and "Only moderators" in refused.response.content, label
    await ctl(world.mod, thread, "Pause")
    refused = await ctl(world.alice, thread, "Resume")
    assert "Only moderators" in refused.response.content
    debate = await store.get_debate(world.db, 1)
    assert debate.state.phase == "pre_vote" and debate.state.paused
    for command, options in (
        ("debate start", {"motion": "x"}),
        ("debate schedule", {"motion": "x", "start": "in 2h"}),
    ):
        result = await world.alice.slash(world.channel, command, **options)
        assert result.ephemeral and "Only moderators" in result.response.content
    assert len(world.user_errors()) == 2


async def test_skip_and_refusals_say_what_to_do(world):
    thread = await start(world)
    early = await world.alice.slash(world.channel, "debate results", debate=1)
    assert early.ephemeral and "still running" in early.response.content
    assert len(world.user_errors()) == 1
    empty = await ctl(world.mod, thread, "Call next")
    assert "Nobody speaks during the pre-debate vote" in empty.response.content
    await ctl(world.mod, thread, "Next phase")
    nobody = await ctl(world.mod, thread, "Call next")
    assert "Nobody is waiting" in nobody.response.content
    await ctl(world.mod, thread, "Skip next phase")  # opening Against skipped
    assert (await store.get_debate(world.db, 1)).state.phase == "rebuttal"
    for _ in range(3):
        await ctl(world.mod, thread, "Next phase")
    refused = await ctl(world.mod, thread, "Skip next phase")
    assert "cannot be skipped" in refused.response.content
    extend = await ctl(world.mod, thread, "Extend +60s")
    assert "No speech is being timed" in extend.response.content


async def test_debate_channel_setting_and_schedule(world):
    stage = world.guild.create_text_channel("debates")
    await world.admin.slash(
        world.channel, "settings set", key="debate_channel_id", value=str(stage.id)
    )
    await world.mod.slash(world.channel, "debate start", motion="My own motion")
    assert stage.threads and not world.channel.threads
    assert stage.threads[0].name == "Debate #1: My own motion"

    scheduled = await world.mod.slash(
        world.channel,
        "debate schedule",
        motion="altman-misreads-her",
        start="in 2h",
        duration="90m",
    )
    assert scheduled.ephemeral and "discord.com/events" in scheduled.response.content
    events = await world.bot.get_guild(world.guild.id).fetch_scheduled_events()
    assert [e.name for e in events] == ["Debate: This house believes Sam Altman misreads Her"]
    bad = await world.mod.slash(world.channel, "debate schedule", motion="x", start="tomorrowish")
    assert "2026-12-01 19:00" in bad.response.content
    assert "Discord timestamp" in bad.response.content
    world.user_errors()
    # A Discord timestamp (the member's own zone, written by the client) is the event's start.
    at = int(world.bot.now().timestamp()) + 5 * 3600
    stamped = await world.mod.slash(
        world.channel, "debate schedule", motion="altman-misreads-her", start=f"<t:{at}:F>"
    )
    assert stamped.ephemeral and "discord.com/events" in stamped.response.content
    events = await world.bot.get_guild(world.guild.id).fetch_scheduled_events()
    assert sorted(int(e.start_time.timestamp()) for e in events)[-1] == at


async def test_extend_after_time_is_up_gives_the_speaker_time_from_now(world):
    thread = await start(world)
    await ctl(world.bob, thread, "Speak For")
    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    await world.env.advance_time(300 + 120)  # the speaker overran by two minutes
    assert count(thread, "Time is up") == 1
    await ctl(world.mod, thread, "Extend +60s")
    assert count(thread, "Time is up") == 1  # not again at once: 60 s from now
    await world.env.advance_time(59)
    assert count(thread, "Time is up") == 1
    await world.env.advance_time(1)
    assert count(thread, "Time is up") == 2


async def test_extend_while_paused_does_not_repeat_a_passed_warning(world):
    cog = world.bot.get_cog("Debates")
    cog.config = dataclasses.replace(cog.config, extend_seconds=10)
    thread = await start(world)
    await ctl(world.bob, thread, "Speak For")
    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    await world.env.advance_time(275)  # both warnings posted; 25 s left
    assert count(thread, "1 minute left") == 1 and count(thread, "30 seconds left") == 1
    await ctl(world.mod, thread, "Pause")
    await ctl(world.mod, thread, "Extend +10s")  # 35 s left: the 1-minute mark stays passed
    await ctl(world.mod, thread, "Resume")
    await world.env.advance_time(40)
    assert count(thread, "1 minute left") == 1
    assert count(thread, "Time is up") == 1


async def test_next_phase_cannot_end_a_debate_before_its_post_vote_is_open(world):
    """A second "Next phase" landing while the first is still opening the post-debate vote."""
    thread = await start(world)
    for _ in range(6):
        await ctl(world.mod, thread, "Next phase")
    debate = await store.get_debate(world.db, 1)
    assert debate.state.phase == "closing_against"
    # The first click's transition is saved; its post-debate vote is not posted yet.
    post_vote = machine.advance(debate.state)
    assert await write(world.db, store.save_state, debate, post_vote, world.bot.now())
    second = await ctl(world.mod, thread, "Next phase")
    assert second.ephemeral and "try again" in second.response.content
    assert (await store.get_debate(world.db, 1)).state.phase == "post_vote"
    assert not with_embed_title(thread, "Debate #1 result")
    world.user_errors()


async def test_second_question_is_refused_before_the_member_types_it(world):
    thread = await start(world)
    shown = await ctl(world.alice, thread, "Ask a question")
    await world.alice.submit_modal(shown, {"question": "Is Samantha a product?"})
    again = await ctl(world.alice, thread, "Ask a question")
    assert again.modal is None  # no form to fill in only to lose the text
    assert again.ephemeral and "already have a question waiting" in again.response.content
    assert len(await store.waiting(world.db, 1, "question")) == 1
    world.user_errors()


async def test_warning_missed_while_down_is_not_posted_late(world):
    thread = await start(world)
    await ctl(world.bob, thread, "Speak For")
    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    await world.env.advance_time(200)
    await world.bot.remove_cog("Debates")  # down from 100 s left ...
    await world.env.advance_time(55)
    await world.restart()  # ... to 45 s left: the 1-minute mark passed meanwhile
    assert count(thread, "1 minute left") == 0
    await world.env.advance_time(15)
    assert count(thread, "30 seconds left") == 1
    await world.env.advance_time(30)
    assert count(thread, "1 minute left") == 0
    assert count(thread, "Time is up for") == 1


async def test_restart_finishes_the_vote_work_of_a_transition_cut_short(world):
    """The bot stopped right after saving a phase change, before its votes were handled."""
    thread = await start(world)
    debate = await store.get_debate(world.db, 1)
    opening = machine.advance(debate.state)
    assert await write(world.db, store.save_state, debate, opening, world.bot.now())
    await world.restart()
    await world.env.advance_time(1)
    assert not (await poll_store.get_poll(world.db, debate.pre_poll_id)).is_open

    debate = await store.get_debate(world.db, 1)
    post_vote = debate.state
    for _ in range(6):
        post_vote = machine.advance(post_vote)
    assert post_vote.phase == "post_vote"
    assert await write(world.db, store.save_state, debate, post_vote, world.bot.now())
    await world.restart()
    await world.env.advance_time(1)
    debate = await store.get_debate(world.db, 1)
    assert debate.post_poll_id is not None
    await world.alice.click(vote_message(thread, "post"), label="For")
    done = await ctl(world.mod, thread, "Next phase")
    assert "Finished" in done.response.content


async def test_time_is_up_refused_once_is_posted_by_the_retry(world):
    thread = await start(world)
    await ctl(world.bob, thread, "Speak For")
    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    await world.env.advance_time(299)  # both warnings posted; a second left
    world.env.inject_error("POST", f"/channels/{thread.id}/messages", status=500)
    await world.env.advance_time(1)  # "time is up" refused by Discord
    assert count(thread, "Time is up") == 0
    await world.env.advance_time(5)  # the scheduler's retry
    assert count(thread, "Time is up") == 1
    await world.env.advance_time(600)
    assert count(thread, "Time is up") == 1
