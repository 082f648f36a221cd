"""Judges through the real bot: a British Parliamentary debate with a three-judge panel, private
ballots (refused out of range, changed before release), a restart in the middle of balloting,
a split decision with speaker points beside the audience's swing, and forget-me."""

from __future__ import annotations

from cogs.debate import judges_store
from tests.debate.test_debate_cog import ctl
from tests.debate.test_format_debates import start_in
from tests.debate.test_judging import BP, bp_points
from tests.debate.test_privacy import forget_me
from tests.helpers import find, vote_message, with_embed_title


def ballot_call(thread):
    found = find(thread, lambda m: "Judges' ballots are open" in (m.content or ""))
    assert found, "no ballot call in the thread"
    return found[-1]


async def ballot(judge, thread, ranking, points=None):
    shown = await judge.click(ballot_call(thread), label="Fill in my ballot")
    assert shown.modal is not None, shown.response.content
    return await judge.submit_modal(
        shown, {"ranking": ranking, "points": points if points is not None else bp_points(ranking)}
    )


def modal_default(shown, custom_id):
    for row in shown.modal["components"]:
        for item in row.get("components", [row.get("component", {})]):
            if item.get("custom_id") == custom_id:
                return item.get("value")
    raise AssertionError(f"no {custom_id} in the modal")


async def to_post_vote(world, thread):
    for _ in range(1 + len(BP.speeches)):  # preparation ends, then every speech
        await ctl(world.mod, thread, "Next phase")


async def test_bp_three_judge_panel_split_decision_and_points(world):
    j = await world.add_members(3, "judge")
    _, thread = await start_in(world, "british-parliamentary")
    refused = await world.alice.slash(world.channel, "debate judges add", debate=1, member=j[0])
    assert refused.ephemeral and "moderator" in refused.response.content.lower()
    for judge in j:
        added = await world.mod.slash(world.channel, "debate judges add", debate=1, member=judge)
        assert added.ephemeral and f"<@{judge.id}> judges debate #1" in added.response.content
    twice = await world.mod.slash(world.channel, "debate judges add", debate=1, member=j[0])
    assert "already judges debate #1" in twice.response.content
    extra = await world.mod.slash(world.channel, "debate judges add", debate=1, member=world.bob)
    assert "a panel of 4" in extra.response.content
    gone = await world.mod.slash(world.channel, "debate judges remove", debate=1, member=world.bob)
    assert "no longer judges" in gone.response.content

    await world.alice.click(vote_message(thread, "pre"), label="For")
    await to_post_vote(world, thread)
    call = ballot_call(thread)
    assert all(f"<@{judge.id}>" in call.content for judge in j)

    # A member who does not judge has no ballot; points out of range are refused clearly.
    stranger = await world.alice.click(call, label="Fill in my ballot")
    assert stranger.ephemeral and "Only the judges" in stranger.response.content
    low = bp_points("CG, OG, CO, OO").replace(": 80", ": 45", 1)
    wrong = await ballot(j[0], thread, "CG, OG, CO, OO", low)
    assert wrong.ephemeral
    assert "Member of the Government (Closing Government): 45 is outside the range 50-100" in (
        wrong.response.content
    )
    assert await judges_store.ballots(world.db, 1, BP) == []

    # A ballot in, then changed before the release (the form shows it as it was).
    first = await ballot(j[0], thread, "OG, CG, CO, OO")
    assert first.ephemeral and "Your ballot is in: 1st Opening Government" in first.response.content
    shown = await j[0].click(ballot_call(thread), label="Fill in my ballot")
    assert modal_default(shown, "ranking") == "OG, CG, CO, OO"
    assert "Prime Minister (Opening Government): 80" in modal_default(shown, "points")
    changed = await j[0].submit_modal(
        shown, {"ranking": "CG, OG, CO, OO", "points": bp_points("CG, OG, CO, OO")}
    )
    assert "Your ballot is changed: 1st Closing Government" in changed.response.content
    await ballot(j[1], thread, "CG, OO, OG, CO")
    listed = await world.mod.slash(world.channel, "debate judges list", debate=1)
    assert "2 of 3 ballots in" in listed.response.content
    assert f"<@{j[2].id}>: no ballot yet" in listed.response.content

    # A restart in the middle of balloting: the ballots stay, the button still works.
    await world.restart()
    third = await ballot(j[2], thread, "OG, CG, CO, OO")
    assert "Your ballot is in" in third.response.content
    rows = await world.db.fetchall("SELECT judge_id, changes FROM debate_ballots ORDER BY judge_id")
    assert sorted((r[0], r[1]) for r in rows) == sorted([(j[0].id, 1), (j[1].id, 0), (j[2].id, 0)])

    # The chair releases: the panel's split decision, each ballot, the speaker points.
    not_chair = await j[0].click(ballot_call(thread), label="Release decision")
    assert not_chair.ephemeral and "moderator" in not_chair.response.content.lower()
    released = await world.mod.click(ballot_call(thread), label="Release decision")
    assert "Released the decision of debate #1" in released.response.content
    decision = with_embed_title(thread, "Debate #1: the judges' decision")[-1].embeds[0]
    assert "1st Closing Government, 2nd Opening Government" in decision.description
    assert "split decision: Closing Government first on 2 of 3 ballots" in decision.description
    fields = {f.name: f.value for f in decision.fields}
    assert "post-debate vote is still open" in fields["The audience"]
    assert fields["Ballot 3"].startswith(f"<@{j[2].id}>: 1st Opening Government")
    assert (
        "Government Whip (Closing Government): 78.3" in fields["Speaker points (the panel's mean)"]
    )
    late = await j[1].click(ballot_call(thread), label="Fill in my ballot")
    assert late.ephemeral and "decision is released" in late.response.content
    again = await world.mod.slash(world.channel, "debate decision release", debate=1)
    assert "already released" in again.response.content

    # The result: the judges' decision beside the audience's swing.
    await world.alice.click(vote_message(thread, "post"), label="Against")
    await ctl(world.mod, thread, "Next phase")
    result = with_embed_title(thread, "Debate #1 result")[-1].embeds[0]
    judged = {f.name: f.value for f in result.fields}["The judges' decision"]
    assert judged.startswith("1st Closing Government") and "split decision" in judged
    shown = await world.alice.slash(world.channel, "debate results", debate=1)
    assert shown.response.embeds

    # Forget-me: a released ballot stays in the decision, without the judge's id.
    await forget_me(j[2], world.channel)
    ids = [r[0] for r in await world.db.fetchall("SELECT judge_id FROM debate_ballots")]
    assert j[2].id not in ids and len(ids) == 3 and min(ids) < 0
    assert len(await judges_store.ballots(world.db, 1, BP)) == 3
    assert not world.env.errors or world.user_errors()


async def test_forget_me_removes_an_unreleased_judges_ballot(world):
    j = await world.add_members(2, "judge")
    _, thread = await start_in(world, "british-parliamentary")
    for judge in j:
        await world.mod.slash(world.channel, "debate judges add", debate=1, member=judge)
    await to_post_vote(world, thread)
    await ballot(j[0], thread, "CG, OG, CO, OO")
    await ballot(j[1], thread, "OG, CG, CO, OO")
    status = await j[0].slash(world.channel, "privacy status")
    assert "judge's seat" in status.response.content
    await forget_me(j[0], world.channel)
    for table, column in (("debate_judges", "user_id"), ("debate_ballots", "judge_id")):
        values = [r[0] for r in await world.db.fetchall(f"SELECT {column} FROM {table}")]
        assert values == [j[1].id], table
    gone = await j[0].click(ballot_call(thread), label="Fill in my ballot")
    assert "Only the judges" in gone.response.content
