"""Motion polls through the real bot: buttons, tallies, deadlines, restarts, exports."""

from __future__ import annotations

import json

import pytest

from bench.baselines import DirectVoteWriter
from cogs.polls import store
from cogs.polls.writer import BatchedVoteWriter
from tests import cards
from tests.helpers import debate_thread, panel, vote_message, with_embed_title


def result_cards(channel, poll_id):
    heading = f"### Result of poll #{poll_id}"
    return [m for m in channel.history() if cards.text(m).startswith(heading)]


async def open_poll(world, **options):
    result = await world.mod.slash(world.channel, "poll create", **options)
    assert result.ephemeral and "is open until" in result.response.content
    message = with_embed_title(world.channel, "Poll #")[-1]
    return int(message.embeds[0].title.split("#")[1].split()[0]), message


async def test_vote_change_retract_with_ephemeral_confirmations(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her")
    assert "This house believes Sam Altman misreads *Her*" in message.embeds[0].description
    assert [c.label for row in message.components for c in row.children] == [
        "For",
        "Against",
        "Undecided",
        "Retract my vote",
    ]

    first = await world.alice.click(message, label="For")
    assert first.ephemeral and "vote for **For** is counted" in first.response.content
    changed = await world.alice.click(message, label="Against")
    assert changed.ephemeral and "from **For** to **Against**" in changed.response.content
    same = await world.alice.click(message, label="Against")
    assert "nothing changed" in same.response.content
    await world.bob.click(message, label="For")
    retracted = await world.bob.click(message, label="Retract my vote")
    assert retracted.ephemeral and "retracted" in retracted.response.content
    nothing = await world.bob.click(message, label="Retract my vote")
    assert "had not voted" in nothing.response.content

    assert (await store.tally(world.db, poll_id)).counts == (0, 1, 0)
    await world.env.advance_time(3)  # the coalesced tally edit
    refreshed = next(m for m in world.channel.history() if m.id == message.id)
    assert "**Against** — 1 (100%)" in refreshed.embeds[0].description


async def test_custom_options_hidden_tally_and_results_after_close(world):
    poll_id, message = await open_poll(
        world,
        motion="Best line in Her?",
        options="The beach; The letter; The ending",
        live=False,
        duration="2h",
    )
    assert "hidden until the poll closes" in message.embeds[0].description
    await world.alice.click(message, label="The letter")
    await world.bob.click(message, label="The letter")
    await world.members[2].click(message, label="The ending")

    early = await world.alice.slash(world.channel, "poll results", poll=poll_id)
    assert early.ephemeral and "hidden until it closes" in early.response.content
    assert len(world.user_errors()) == 1

    closed = await world.mod.slash(world.channel, "poll close", poll=poll_id)
    assert "is closed" in closed.response.content
    result = world.channel.last_message
    shown = cards.text(result)
    assert shown.startswith(f"### Result of poll #{poll_id}")
    assert "**The letter** — 2 (67%)" in shown
    assert "**The ending** — 1 (33%)" in shown
    (chart,) = cards.media_urls(result)  # the attachment, resolved by Discord
    assert chart.endswith(f"/poll-{poll_id}.png")
    assert result.attachments[0].filename == f"poll-{poll_id}.png"
    assert (await result.attachments[0].read()).startswith(b"\x89PNG")
    poll_message = next(m for m in world.channel.history() if m.id == message.id)
    assert poll_message.components == []  # no buttons on a closed poll

    again = await world.mod.slash(world.channel, "poll close", poll=poll_id)
    assert "already closed" in again.response.content
    world.user_errors()


async def test_deadline_closes_the_poll_and_removes_its_buttons(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her", duration="1h")
    await world.alice.click(message, label="Undecided")
    await world.env.advance_time(3600)
    poll = await store.get_poll(world.db, poll_id)
    assert not poll.is_open
    result = world.channel.last_message
    assert cards.text(result).startswith(f"### Result of poll #{poll_id}")
    assert "**Undecided** — 1 (100%)" in cards.text(result)
    closed = next(m for m in world.channel.history() if m.id == message.id)
    assert closed.components == []  # nothing left to click
    assert closed.embeds[0].title == "Poll #1 — closed"
    listed = await world.alice.slash(world.channel, "poll list")
    assert f"**#{poll_id}** closed" in listed.response.content


async def test_eligibility_role(world):
    voters = world.guild.create_role("Voters")
    poll_id, message = await open_poll(world, motion="altman-misreads-her", role=voters)
    refused = await world.alice.click(message, label="For")
    assert refused.ephemeral and "Only members with the" in refused.response.content
    allowed = await world.mod.click(message, label="For")  # mod has no Voters role either
    assert "Only members" in allowed.response.content
    voter = world.guild.add_member(world.env.create_user("voter"), roles=[voters])
    ok = await voter.click(message, label="For")
    assert "is counted" in ok.response.content
    assert (await store.tally(world.db, poll_id)).counts == (1, 0, 0)


async def test_restart_mid_poll_keeps_votes_buttons_and_deadline(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her", duration="2h")
    await world.alice.click(message, label="For")
    await world.restart()
    # The old message's buttons still work on the new process, and the vote is still there.
    changed = await world.alice.click(message, label="Against")
    assert "from **For** to **Against**" in changed.response.content
    await world.bob.click(message, label="Against")
    await world.env.advance_time(2 * 3600)
    result = world.channel.last_message
    assert cards.text(result).startswith(f"### Result of poll #{poll_id}")
    assert "**Against** — 2 (100%)" in cards.text(result)


async def test_poll_expiring_while_the_bot_is_down_closes_on_start(world):
    """The feature is unloaded (its timers die with it), time passes, then a new process."""
    poll_id, message = await open_poll(world, motion="altman-misreads-her", duration="1h")
    await world.alice.click(message, label="For")
    await world.bot.remove_cog("Polls")
    await world.env.advance_time(2 * 3600)
    assert (await store.get_poll(world.db, poll_id)).is_open  # nobody closed it
    await world.restart()
    assert not (await store.get_poll(world.db, poll_id)).is_open
    results = result_cards(world.channel, poll_id)
    assert len(results) == 1
    assert "**For** — 1 (100%)" in cards.text(results[0])
    await world.restart()  # a second start does not post it again
    assert len(result_cards(world.channel, poll_id)) == 1


async def test_200_members_clicking_end_in_an_exact_tally(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her")
    crowd = await world.add_members(200)
    start = len(world.env.http_requests)
    for i, member in enumerate(crowd):
        await member.click(message, label=("For", "Against", "Undecided")[i % 3])
    for member in crowd[:50]:  # 50 change their mind: still one vote each
        await member.click(message, label="Undecided")
    await world.env.advance_time(3)
    tally = await store.tally(world.db, poll_id)
    assert tally.counts == (50, 50, 100) and tally.total == 200
    async with world.db.execute(
        "SELECT count(*), count(DISTINCT user_id) FROM poll_votes WHERE poll_id = ?", (poll_id,)
    ) as cur:
        assert tuple(await cur.fetchone()) == (200, 200)
    edits = [
        r
        for r in world.env.http_requests[start:]
        if r.method == "PATCH" and r.path.endswith(f"/messages/{message.id}")
    ]
    assert 1 <= len(edits) <= 3  # 250 clicks, a handful of coalesced edits


@pytest.mark.parametrize("batched", [False, True], ids=["commit-per-vote", "group-commit"])
async def test_200_concurrent_clicks_through_the_gateway(world, batched):
    """All 230 INTERACTION_CREATE events reach the bot before any is handled."""
    from bench.votes import burst_click

    cog = world.bot.get_cog("Polls")
    cog.writer = BatchedVoteWriter(world.db) if batched else DirectVoteWriter(world.db)
    poll_id, message = await open_poll(world, motion="altman-misreads-her")
    crowd = await world.add_members(200)
    clicks = [(m, f"herbot:poll:vote:{poll_id}:{i % 3}") for i, m in enumerate(crowd)]
    clicks += [(m, f"herbot:poll:vote:{poll_id}:2") for m in crowd[:30]]  # 30 change at once
    acked = await burst_click(world.env, message, clicks)  # raises if one was not answered
    assert len(acked) == len(clicks)
    tally = await store.tally(world.db, poll_id)
    assert tally.total == 200
    assert tally.counts == (67 - 10, 67 - 10, 66 + 20)
    if batched:
        assert cog.writer.commits < 20  # the burst shared a few group commits


async def test_moderator_controls_refused_to_members(world):
    refused = await world.alice.slash(world.channel, "poll create", motion="altman-misreads-her")
    assert refused.ephemeral and "Only moderators" in refused.response.content
    poll_id, _ = await open_poll(world, motion="altman-misreads-her")
    for command, options in (
        ("poll close", {"poll": poll_id}),
        ("poll export", {"poll": poll_id, "format": "csv"}),
    ):
        result = await world.alice.slash(world.channel, command, **options)
        assert result.ephemeral and "Only moderators" in result.response.content
    assert len(world.user_errors()) == 3
    assert (await store.get_poll(world.db, poll_id)).is_open


async def test_export_csv_and_json(world):
    anon_id, anon = await open_poll(world, motion="altman-misreads-her")
    public_id, public = await open_poll(world, motion="altman-misreads-her", public=True)
    for message in (anon, public):
        await world.alice.click(message, label="For")
        await world.bob.click(message, label="Against")
    csv_result = await world.mod.slash(world.channel, "poll export", poll=anon_id, format="csv")
    assert csv_result.ephemeral and "counts only" in csv_result.response.content
    text = (await csv_result.response.attachments[0].read()).decode()
    assert "For,1,50" in text and str(world.alice.id) not in text
    json_result = await world.mod.slash(world.channel, "poll export", poll=public_id, format="json")
    data = json.loads(await json_result.response.attachments[0].read())
    assert data["total_votes"] == 2
    assert {"user_id": str(world.alice.id), "option": "For"} in data["votes"]


async def test_quick_poll_native_and_limits(world):
    ok = await world.alice.slash(
        world.channel, "poll quick", question="Rewatch tonight?", answers="Yes; No; Maybe", hours=2
    )
    native = ok.response.message.poll
    assert native is not None and [a.text for a in native.answers] == ["Yes", "No", "Maybe"]
    await world.bob.vote(ok.response.message, answer=1)

    too_long = await world.alice.slash(
        world.channel, "poll quick", question="q" * 301, answers="a; b"
    )
    assert too_long.ephemeral and "300" in too_long.response.content
    many = await world.alice.slash(
        world.channel, "poll quick", question="q", answers="; ".join(str(i) for i in range(11))
    )
    assert "allow 10" in many.response.content
    long_answer = await world.alice.slash(
        world.channel, "poll quick", question="q", answers=f"{'x' * 56}; b"
    )
    assert "55" in long_answer.response.content
    days = await world.alice.slash(
        world.channel, "poll quick", question="q", answers="a; b", hours=800
    )
    assert "32 days" in days.response.content
    assert len(world.user_errors()) == 4


async def test_motion_autocomplete_is_bounded(world):
    choices = await world.mod.autocomplete(world.channel, "poll create", "motion", "altman")
    assert choices[0]["value"] == "altman-misreads-her"
    assert len(await world.mod.autocomplete(world.channel, "poll create", "motion", "")) <= 25
    # A question of one's own is offered as typed, after any preset that matches.
    own = await world.mod.autocomplete(world.channel, "poll create", "motion", "Is Her a romance?")
    assert [c["value"] for c in own] == ["Is Her a romance?"]
    assert choices[-1]["value"] == "altman"


async def test_forget_me_removes_votes_in_open_polls_only(world):
    open_id, open_message = await open_poll(world, motion="altman-misreads-her")
    closed_id, closed_message = await open_poll(world, motion="altman-misreads-her")
    await world.bob.click(open_message, label="For")
    await world.bob.click(closed_message, label="For")
    await world.mod.slash(world.channel, "poll close", poll=closed_id)
    shown = await world.bob.slash(world.channel, "privacy forget-me")
    done = await world.bob.click(shown.response, label="Yes, delete my data")
    assert "Removed 1 vote in open polls" in done.response.content
    assert (await store.tally(world.db, open_id)).total == 0
    assert (await store.tally(world.db, closed_id)).total == 1  # published counts stay


async def test_charts_are_drawn_off_the_event_loop(world, monkeypatch):
    """matplotlib takes tens of milliseconds per chart: it must not stall every other member."""
    import threading

    from cogs.debate import charts as debate_charts
    from cogs.polls import charts

    threads = []

    def spy(draw):
        def drawn(*args, **kwargs):
            threads.append(threading.current_thread() is threading.main_thread())
            return draw(*args, **kwargs)

        return drawn

    monkeypatch.setattr(charts, "poll_chart", spy(charts.poll_chart))
    monkeypatch.setattr(debate_charts, "swing_chart", spy(debate_charts.swing_chart))
    poll_id, message = await open_poll(world, motion="altman-misreads-her")
    await world.alice.click(message, label="For")
    await world.mod.slash(world.channel, "poll close", poll=poll_id)  # the result post
    shown = await world.alice.slash(world.channel, "poll results", poll=poll_id)
    assert shown.response.attachments[0].filename == f"poll-{poll_id}.png"
    await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    thread = debate_thread(world)
    for _ in range(8):  # through every phase to the result post
        await world.mod.click(panel(thread), label="Next phase")
    assert with_embed_title(thread, "Debate #1 result")[0].attachments
    shown = await world.alice.slash(world.channel, "debate results", debate=1)
    assert shown.response.attachments[0].filename == "debate-1.png"
    assert threads == [False, False, False, False]


async def test_hidden_tallies_stay_hidden_from_results_and_export(world):
    poll_id, message = await open_poll(world, motion="altman-misreads-her", live=False)
    await world.alice.click(message, label="For")
    export = await world.mod.slash(world.channel, "poll export", poll=poll_id)
    assert export.ephemeral and "hidden until it closes" in export.response.content
    assert not export.response.attachments

    # The pre-debate vote is closed once the debate starts, but its counts are the result's.
    await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    thread = debate_thread(world)
    pre_id = poll_id + 1
    await world.alice.click(vote_message(thread, "pre"), label="Against")
    await world.mod.click(panel(thread), label="Next phase")
    assert not (await store.get_poll(world.db, pre_id)).is_open
    early = await world.alice.slash(world.channel, "poll results", poll=pre_id)
    assert early.ephemeral and "hidden" in early.response.content
    assert not early.response.embeds
    early = await world.mod.slash(world.channel, "poll export", poll=pre_id)
    assert "hidden" in early.response.content and not early.response.attachments
    assert len(world.user_errors()) == 3

    for _ in range(7):
        await world.mod.click(panel(thread), label="Next phase")
    shown = await world.alice.slash(world.channel, "poll results", poll=pre_id)
    assert "**Against** — 1 (100%)" in cards.text(shown)


async def test_absurd_duration_is_a_clear_refusal(world):
    result = await world.mod.slash(
        world.channel, "poll create", motion="altman-misreads-her", duration="99999999999d"
    )
    assert result.ephemeral and "at most 366 days" in result.response.content
    assert world.user_errors() == [result.response.content]
