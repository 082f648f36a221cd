"""Debates in a format of herbot_config/formats.toml, through the real bot: preparation, speeches in
order, points of information (offered, accepted, declined, refused in protected time), a
restart in the middle, the result with the points counted, and forget-me."""

from __future__ import annotations

from cogs.debate import poi_store, store
from cogs.polls import store as poll_store
from tests.debate.test_debate_cog import count, ctl, start
from tests.helpers import find, panel, panel_text, texts, vote_message


async def start_in(world, fmt):
    world.bot.get_cog("Debates")._panel_budget.edits = 10_000
    result = await world.mod.slash(
        world.channel, "debate start", motion="altman-misreads-her", format=fmt
    )
    assert result.ephemeral and "is open in" in result.response.content, result.response.content
    return result, world.channel.threads[-1]


def offers(thread):
    return find(thread, lambda m: "offers a **point of information**" in (m.content or ""))


async def offer(member, thread):
    return await ctl(member, thread, "Offer POI")


async def test_world_schools_prep_speeches_pois_restart_and_result(world):
    m = await world.add_members(6)
    answer, thread = await start_in(world, "world-schools")
    assert "Preparation: 60 minutes" in answer.response.content
    text = panel_text(thread)
    assert "**Format:** World Schools (3 v 3, reply speeches)" in text
    assert "**Phase:** Preparation (the pre-debate vote is open)" in text
    assert "**Time left:** ends <t:" in text
    assert "**Next:** First Proposition (For) — nobody waiting yet" in text
    assert "-# Order: Pre-debate vote → **Preparation** → First Proposition →" in text

    await world.alice.click(vote_message(thread, "pre"), label="For")
    await ctl(m[0], thread, "Speak For")
    await ctl(m[1], thread, "Speak Against")
    assert f"**Next:** First Proposition (For) — <@{m[0].id}> (first waiting)" in panel_text(thread)
    early = await offer(m[1], thread)
    assert early.ephemeral and "offered during a speech" in early.response.content

    # Preparation survives a restart; its end starts the first speech once.
    await world.env.advance_time(30 * 60)
    await world.restart()
    await world.env.advance_time(29 * 60 + 59)
    assert count(thread, "Preparation time is over") == 0
    await world.env.advance_time(1)
    assert count(thread, "Preparation time is over") == 1
    assert count(thread, "**Speech 1 of 8: First Proposition (For)** — 8:00") == 1
    assert not (await poll_store.get_poll(world.db, 1)).is_open  # the pre-vote closed
    assert "**Phase:** Speech 1 of 8: First Proposition (For)" in panel_text(thread)
    assert "**Next:** First Opposition (Against)" in panel_text(thread)

    waiting = await offer(m[1], thread)
    assert "wait for the moderator to call the speaker" in waiting.response.content
    await ctl(world.mod, thread, "Call next")
    assert count(thread, f"<@{m[0].id}> has the floor as **First Proposition** (For): 8:00") == 1
    assert f"**Floor:** <@{m[0].id}> speaks For" in panel_text(thread)
    assert "**Points of information:** open <t:" in panel_text(thread)

    # Protected time at the start, then a POI accepted; one waits at a time.
    await world.env.advance_time(30)
    protected = await offer(m[1], thread)
    assert protected.ephemeral and "Protected time" in protected.response.content
    assert "after the first 60 s" in protected.response.content
    own = await offer(m[0], thread)
    assert "You have the floor" in own.response.content
    await world.env.advance_time(60)
    offered = await offer(m[1], thread)
    assert offered.ephemeral and f"offered to <@{m[0].id}>" in offered.response.content
    assert len(offers(thread)) == 1
    busy = await offer(m[2], thread)
    assert "already waiting for the speaker's answer" in busy.response.content
    assert f"waiting: <@{m[1].id}>" in panel_text(thread)
    stranger = await m[2].click(offers(thread)[-1], label="Accept")
    assert stranger.ephemeral and "Only the speaker" in stranger.response.content
    first = offers(thread)[-1]
    await m[0].click(first, label="Accept")
    assert count(thread, f"<@{m[1].id}> has the floor for a short question") == 1
    assert count(thread, f"<@{m[0].id}> accepted the point of information") == 1
    assert "1 accepted, 0 declined" in panel_text(thread)
    answered = find(thread, lambda x: x.id == first.id)[0]
    assert not answered.components  # the offer now reads as answered, without buttons

    # A POI declined; another offered before a restart and answered after it.
    await offer(m[2], thread)
    await m[0].click(offers(thread)[-1], label="Decline")
    assert count(thread, f"<@{m[0].id}> declined the point of information") == 1
    await offer(m[3], thread)
    await world.restart()
    await m[0].click(offers(thread)[-1], label="Accept")  # a persistent button
    assert "2 accepted, 1 declined" in panel_text(thread)

    # Protected time at the end (the last 60 s of 8:00).
    await world.env.advance_time(420 - 90)
    closing = await offer(m[1], thread)
    assert "Protected time" in closing.response.content and "last 60 s" in closing.response.content
    await world.env.advance_time(60)
    assert count(thread, f"Time is up for <@{m[0].id}>") == 1

    # The next speeches: the side of the speech decides who is called.
    await ctl(world.mod, thread, "Next phase")
    assert count(thread, "**Speech 2 of 8: First Opposition (Against)**") == 1
    await ctl(world.mod, thread, "Call next")
    assert count(thread, f"<@{m[1].id}> has the floor as **First Opposition** (Against)") == 1
    await world.env.advance_time(120)
    await offer(m[4], thread)  # left unanswered: it lapses with the speech
    await ctl(world.mod, thread, "Skip next phase")  # no Second Proposition tonight
    assert "**Phase:** Speech 4 of 8: Second Opposition (Against)" in panel_text(thread)
    unanswered = offers(thread)[-1]
    await m[1].click(unanswered, label="Accept")
    assert "lapsed: the speech ended" in find(thread, lambda x: x.id == unanswered.id)[0].content
    for _ in range(3):
        await ctl(world.mod, thread, "Next phase")
    assert "**Phase:** Speech 7 of 8: Opposition Reply (Against)" in panel_text(thread)
    await ctl(m[1], thread, "Speak Against")
    await ctl(world.mod, thread, "Call next")
    await world.env.advance_time(120)
    reply = await offer(m[0], thread)
    assert "Opposition Reply takes no points of information" in reply.response.content
    await ctl(world.mod, thread, "Skip next phase")  # no Proposition Reply either
    assert "**Phase:** Post-debate vote" in panel_text(thread)
    wrong = await ctl(world.mod, thread, "Skip next phase")
    assert "Nothing to skip" in wrong.response.content
    await world.alice.click(vote_message(thread, "post"), label="Against")
    await ctl(world.mod, thread, "Next phase")
    assert "**Phase:** Finished" in panel_text(thread)
    summary = next(t for t in texts(thread) if t.startswith("**Points of information**"))
    assert "• First Proposition: 2 accepted, 1 declined" in summary
    assert "• First Opposition: 0 accepted, 0 declined" in summary
    assert "Opposition Reply" not in summary  # reply speeches take none

    rows = await world.db.fetchall(
        "SELECT speech_index, user_id, answer FROM debate_pois ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [
        (0, m[1].id, "accepted"),
        (0, m[2].id, "declined"),
        (0, m[3].id, "accepted"),
        (1, m[4].id, "lapsed"),
    ]
    debate = await store.get_debate(world.db, 1)
    assert debate.format_id == "world-schools" and debate.state.phase == "finished"


async def test_british_parliamentary_preparation_ended_by_the_moderator(world):
    m = await world.add_members(2)
    _, thread = await start_in(world, "british-parliamentary")
    refused = await ctl(world.alice, thread, "End preparation")
    assert "Only moderators" in refused.response.content
    await ctl(world.mod, thread, "End preparation")
    assert count(thread, "**Speech 1 of 8: Prime Minister (Opening Government) (For)**") == 1
    await world.env.advance_time(15 * 60)  # the old preparation deadline passes quietly
    assert count(thread, "Preparation time is over") == 0
    await ctl(m[0], thread, "Speak Against")
    nobody = await ctl(world.mod, thread, "Call next")
    assert "Nobody is waiting to speak For" in nobody.response.content
    await ctl(m[1], thread, "Speak For")
    await ctl(world.mod, thread, "Call next")
    assert count(thread, f"<@{m[1].id}> has the floor as **Prime Minister") == 1
    await world.env.advance_time(90)
    await ctl(world.mod, thread, "Pause")
    paused = await offer(m[0], thread)
    assert "paused" in paused.response.content
    await ctl(world.mod, thread, "Resume")
    await offer(m[0], thread)
    await world.mod.click(offers(thread)[-1], label="Decline")  # a moderator may answer
    assert count(thread, f"<@{world.mod.id}> declined the point of information") == 1

    # Forget-me: a waiting point goes, an answered one stays counted without a name.
    await offer(m[0], thread)
    async with world.db.transaction() as tx:
        done = await poi_store.forget(tx, m[0].id)
    assert done == 2
    rows = await world.db.fetchall("SELECT user_id, answer FROM debate_pois ORDER BY id")
    assert [tuple(r) for r in rows] == [(0, "declined")]
    assert await poi_store.status(world.db, m[0].id) == 0


async def test_format_choices_and_an_unknown_format(world):
    shown = await world.mod.autocomplete(world.channel, "debate start", "format", "parl")
    assert [c["value"] for c in shown] == ["british-parliamentary", "asian-parliamentary"]
    everything = await world.mod.autocomplete(world.channel, "debate start", "format", "")
    assert [c["value"] for c in everything] == [
        "oxford",
        "british-parliamentary",
        "world-schools",
        "asian-parliamentary",
    ]
    unknown = await world.mod.slash(
        world.channel, "debate start", motion="altman-misreads-her", format="lincoln-douglas"
    )
    assert unknown.ephemeral and "no debate format 'lincoln-douglas'" in unknown.response.content
    assert "british-parliamentary" in unknown.response.content
    assert not world.channel.threads
    assert len(world.user_errors()) == 1


async def test_oxford_stays_the_default_with_its_classic_order(world):
    thread = await start(world)
    text = panel_text(thread)
    assert "**Format:** Oxford-style (herbot's classic)" in text
    assert "**Phase:** Pre-debate vote" in text
    assert "Offer POI" not in str(panel(thread).components)
    assert (await store.get_debate(world.db, 1)).format_id == "oxford"
    await ctl(world.mod, thread, "Next phase")
    assert "**Phase:** Opening statements: For" in panel_text(thread)


async def test_asian_parliamentary_without_pois_in_preparation(world):
    m = await world.add_members(1)
    _, thread = await start_in(world, "asian-parliamentary")
    assert "Preparation: 30 minutes" in texts(thread)[-1] or any(
        "Preparation: 30 minutes" in t for t in texts(thread)
    )
    early = await offer(m[0], thread)
    assert "offered during a speech" in early.response.content
    await ctl(world.mod, thread, "Pause")  # preparation pauses like a speech
    await world.env.advance_time(3600)
    assert count(thread, "Preparation time is over") == 0
    await ctl(world.mod, thread, "Resume")
    await world.env.advance_time(30 * 60)
    assert count(thread, "Preparation time is over") == 1
    assert "**Phase:** Speech 1 of 8: Prime Minister (For)" in panel_text(thread)
