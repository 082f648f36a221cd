"""Approval and ranked-choice polls through the real bot: selects, the ranking builder,
restarts, refusals, results, exports and forget-me."""

from __future__ import annotations

import asyncio
import json

from cogs.polls import ballot_store, store
from tests import cards
from tests.helpers import with_embed_title, write


async def open_poll(world, **options):
    result = await world.mod.slash(world.channel, "poll create", **options)
    assert result.ephemeral and "is open until" in result.response.content, result.response
    message = with_embed_title(world.channel, "Poll #")[-1]
    return int(message.embeds[0].title.split("#")[1].split()[0]), message


def labels(message) -> list[str]:
    """The labels (selects: placeholders) of a message's components, rows in order."""
    found = []
    for row in message.components:
        for child in row["components"] if isinstance(row, dict) else row.children:
            if isinstance(child, dict):
                found.append(child.get("label") or child.get("placeholder"))
            else:
                found.append(getattr(child, "label", None) or child.placeholder)
    return found


async def rank(member, message, choices, *, submit=True):
    """Open the private ranking builder, click ``choices`` in order, submit; the last answer."""
    shown = await member.click(message, label="Rank the options")
    assert shown.ephemeral, shown
    builder = shown.response
    for label in choices:
        builder = (await member.click(builder, label=label)).response
    if not submit:
        return builder
    return (await member.click(builder, label="Submit ranking")).response


def forged_select(world, member, message, custom_id, values):
    """A select interaction with values the client would not send (a stale or forged payload).

    Discord's client enforces ``max_values``, and so does simcord's ``member.select``; the bot
    checks again, so this puts the raw interaction on the gateway like bench/votes.py does.
    """
    from simcord.backend import serializers
    from simcord.enums import ComponentType, InteractionType
    from simcord.interactions import base_payload
    from simcord.results import InteractionResult

    backend = world.env.backend
    stored = backend.get_message(message.channel.id, message.id)
    record, payload = base_payload(
        backend,
        type=InteractionType.MESSAGE_COMPONENT,
        channel_id=stored.channel_id,
        guild_id=member.guild.id,
        user_id=member.id,
        data={
            "custom_id": custom_id,
            "component_type": ComponentType.STRING_SELECT,
            "values": values,
        },
    )
    payload["message"] = dict(serializers.message_payload(backend, stored))
    record.source_message_id = stored.id
    backend.emit("INTERACTION_CREATE", payload)
    return InteractionResult(world.env, record)


async def test_approval_poll_select_change_cap_and_result(world):
    alice, bob, carol = world.members
    poll_id, message = await open_poll(
        world,
        motion="Which films for movie night?",
        options="Her; Arrival; Moon; Solaris",
        kind="approval",
        max_choices=2,
    )
    assert labels(message) == ["Approve up to 2 options", "Retract my vote"]
    assert "Kind: approval" in message.embeds[0].fields[0].value

    first = await alice.select(message, ["0", "1"])
    assert first.ephemeral
    assert first.response.content == "Your ballot is counted: **Her**, **Arrival**."
    await bob.select(message, ["1"])
    await carol.select(message, ["2", "1"])
    changed = await alice.select(message, ["2"])
    assert "changed your ballot from **Her**, **Arrival** to **Moon**" in changed.response.content
    same = await bob.select(message, ["1"])
    assert "nothing changed" in same.response.content

    # A payload over the cap (the client never sends one) is refused privately, nothing stored.
    forged = forged_select(world, bob, message, f"herbot:poll:approve:{poll_id}", ["0", "1", "2"])
    await world.env.settle()
    assert forged.ephemeral and "at most 2 options" in forged.response.content
    assert await ballot_store.ballots(world.db, poll_id) == {
        alice.id: (2,),
        bob.id: (1,),
        carol.id: (1, 2),
    }
    assert (await store.tally(world.db, poll_id)).total == 0  # single-choice rows untouched

    await world.env.advance_time(3)  # the coalesced live redraw
    live = next(m for m in world.channel.history() if m.id == message.id)
    assert "**Arrival** — 2 (67% approve)" in live.embeds[0].description
    assert "3 ballots" in live.embeds[0].description

    await world.mod.slash(world.channel, "poll close", poll=poll_id)
    result = world.channel.last_message
    shown = cards.text(result)
    assert shown.startswith(f"### Result of poll #{poll_id}")
    assert "**Arrival** — 2 (67% approve)" in shown and "**Moon** — 2 (67% approve)" in shown
    assert "**Her** — 0 (0% approve)" in shown
    assert "3 ballots, approval (up to 2 each)" in shown
    assert (await result.attachments[0].read()).startswith(b"\x89PNG")
    world.user_errors()


async def test_ranked_poll_three_rounds_of_instant_runoff(world):
    """Ten members rank Apple, Banana, Cherry, Durian (a majority is more than half of the
    ballots still counting in a round):

    * 4 x Apple
    * 3 x Banana > Cherry
    * 2 x Cherry > Banana
    * 1 x Durian > Cherry

    Round 1: Apple 4, Banana 3, Cherry 2, Durian 1 (10 ballots, nobody has 6): Durian, the
    fewest, is out; its ballot goes to Cherry (Cherry +1).
    Round 2: Apple 4, Banana 3, Cherry 3: Banana and Cherry tie for last. Tie-break: in the
    latest earlier round where they differed (round 1) Cherry had 2 < Banana's 3, so Cherry
    is out. Its two Cherry > Banana ballots go to Banana (+2); the Durian > Cherry ballot has
    no choice left: exhausted (+1).
    Round 3: Apple 4, Banana 5 of 9 continuing ballots (1 exhausted): Banana has a majority
    and wins.
    """
    extra = await world.add_members(7)
    voters = [*world.members[:3], *extra]
    poll_id, message = await open_poll(
        world,
        motion="Which fruit for the picnic?",
        options="Apple; Banana; Cherry; Durian",
        kind="ranked",
        public=True,
    )
    assert labels(message) == ["Rank the options", "Retract my vote"]
    plan = (
        [["Apple"]] * 4
        + [["Banana", "Cherry"]] * 3
        + [["Cherry", "Banana"]] * 2
        + [["Durian", "Cherry"]]
    )
    for member, choices in zip(voters, plan, strict=True):
        answer = await rank(member, message, choices)
        assert answer.content.startswith("Your ballot is counted: **" + choices[0] + "**")

    closed = await world.mod.slash(world.channel, "poll close", poll=poll_id)
    assert "is closed" in closed.response.content
    result = world.channel.last_message
    shown = cards.text(result)
    assert "Winner: **Banana** after 3 rounds" in shown
    assert "A tie for last place was broken" in shown
    table = shown.split("```")[1].strip().splitlines()
    assert table[0].split() == ["Option", "R1", "R2", "R3"]
    assert table[1].split() == ["Apple", "4", "4", "4"]
    assert table[2].split() == ["Banana", "3", "3", "5✓"]
    assert table[3].split() == ["Cherry", "2", "3✗"]
    assert table[4].split() == ["Durian", "1✗"]
    assert table[5].split() == ["exhausted", "0", "0", "1"]
    assert "Round 1: **Durian** out → Cherry +1" in shown
    assert "Round 2: **Cherry** out (tie-break) → Banana +2, exhausted +1" in shown
    assert result.attachments[0].filename == f"poll-{poll_id}.png"
    assert (await result.attachments[0].read()).startswith(b"\x89PNG")

    exported = await world.mod.slash(world.channel, "poll export", poll=poll_id, format="json")
    data = json.loads(await exported.response.attachments[0].read())
    assert data["kind"] == "ranked" and data["winner"] == "Banana"
    assert [r["eliminated"] for r in data["rounds"]] == ["Durian", "Cherry", None]
    assert data["rounds"][1]["transfers"] == {"(exhausted)": 1, "Banana": 2}
    assert len(data["ballots"]) == 10
    assert {"user_id": str(voters[9].id), "choices": ["Durian", "Cherry"]} in data["ballots"]
    csv_export = await world.mod.slash(world.channel, "poll export", poll=poll_id, format="csv")
    text = (await csv_export.response.attachments[0].read()).decode()
    assert f"{poll_id},Which fruit for the picnic?,3,Banana,5,0" in text
    assert "user_id,choice_1,choice_2" in text


async def test_restart_mid_ranked_poll_keeps_ballots_and_they_stay_changeable(world):
    alice, bob, _ = world.members
    poll_id, message = await open_poll(
        world, motion="Best season?", options="Spring; Summer; Autumn", kind="ranked"
    )
    await rank(alice, message, ["Autumn", "Spring"])
    half_done = await rank(bob, message, ["Summer"], submit=False)  # builder left open
    await world.restart()

    # The builder opened before the restart still works: its state is in its buttons' ids.
    builder = (await bob.click(half_done, label="Autumn")).response
    assert "1. Summer\n2. Autumn" in builder.content
    saved = (await bob.click(builder, label="Submit ranking")).response
    assert saved.content == "Your ballot is counted: **Summer** > **Autumn**."
    # The kept ballot is shown and can be changed from the poll message.
    shown = await alice.click(message, label="Rank the options")
    assert "Your ballot now: **Autumn** > **Spring**" in shown.response.content
    changed = await rank(alice, message, ["Spring"])
    assert changed.content == (
        "You changed your ballot from **Autumn** > **Spring** to **Spring**."
    )
    assert await ballot_store.ballots(world.db, poll_id) == {alice.id: (0,), bob.id: (1, 2)}
    retracted = await bob.click(message, label="Retract my vote")
    assert "retracted" in retracted.response.content
    assert await ballot_store.ballots(world.db, poll_id) == {alice.id: (0,)}


async def test_invalid_ballots_and_kinds_are_refused_privately(world):
    alice, bob, _ = world.members
    bad = await world.mod.slash(
        world.channel, "poll create", motion="Q?", options="A; B", kind="ranked", max_choices=1
    )
    assert bad.ephemeral and "only applies to approval" in bad.response.content
    too_many = await world.mod.slash(
        world.channel, "poll create", motion="Q?", options="A; B", kind="approval", max_choices=3
    )
    assert too_many.ephemeral and "between 1 and the number of options (2)" in (
        too_many.response.content
    )

    poll_id, message = await open_poll(
        world, motion="Best line?", options="The beach; The letter", kind="ranked", duration="1h"
    )
    builder = await rank(alice, message, [], submit=False)
    empty = await alice.click(builder, label="Submit ranking")
    assert empty.ephemeral and "rank at least one option" in empty.response.content
    picked = (await alice.click(builder, label="The beach")).response
    assert labels(picked) == ["The letter", "Submit ranking", "Start over"]  # never twice
    again = (await alice.click(picked, label="Start over")).response
    assert "Click the options in your order of preference" in again.content
    # A single-choice vote id put on the gateway for a ranked poll (forged: no such button)
    # is not taken by the vote fast lane, and nothing lands in poll_votes.
    from bench.votes import emit_clicks

    emit_clicks(world.env, message, [(alice, f"herbot:poll:vote:{poll_id}:0")])
    await world.env.settle()
    assert (await store.tally(world.db, poll_id)).total == 0
    bob_builder = await rank(bob, message, ["The letter"], submit=False)
    await world.env.advance_time(3600)  # the poll closes with bob's builder still open
    late = await bob.click(bob_builder, label="Submit ranking")
    assert late.ephemeral and "closed" in late.response.content
    assert await ballot_store.ballots(world.db, poll_id) == {}
    assert len(world.user_errors()) == 2  # the commands; components answer through guarded()


async def test_forget_me_deletes_open_ballots_and_anonymises_closed_ones(world):
    alice, bob, _ = world.members
    closed_id, closed_msg = await open_poll(
        world, motion="Q1?", options="A; B; C", kind="ranked", public=True
    )
    single_id, single_msg = await open_poll(world, motion="altman-misreads-her")
    open_id, open_msg = await open_poll(world, motion="Q2?", options="A; B", kind="approval")
    await rank(alice, closed_msg, ["B", "A"])
    await rank(bob, closed_msg, ["C"])
    await alice.click(single_msg, label="For")
    await alice.select(open_msg, ["0", "1"])
    for poll_id in (closed_id, single_id):
        await world.mod.slash(world.channel, "poll close", poll=poll_id)

    counts = await write(world.db, store.forget, alice.id)
    assert counts[store.OPEN_VOTES] == 1 and counts[store.CLOSED_VOTES] == 2
    assert await ballot_store.ballots(world.db, open_id) == {}
    kept = await ballot_store.ballots(world.db, closed_id)
    (surrogate,) = [uid for uid in kept if uid != bob.id]
    assert surrogate < 0 and kept[surrogate] == (1, 0)
    votes = await store.ballots(world.db, single_id)
    assert list(votes) == [surrogate]  # one surrogate per forget, across both vote tables
    status = await store.status(world.db, alice.id)
    assert status[store.OPEN_VOTES] == 0 and status[store.CLOSED_VOTES_KEPT] == 0
    exported = await world.mod.slash(world.channel, "poll export", poll=closed_id, format="json")
    data = json.loads(await exported.response.attachments[0].read())
    assert {"user_id": "former member", "choices": ["B", "A"]} in data["ballots"]


async def test_ballots_arriving_together_share_a_commit_and_a_closed_poll_refuses_its_own(db):
    from datetime import UTC, datetime

    from cogs.polls.ballot_writer import BallotWriter
    from cogs.polls.polls import PollError

    now = datetime(2026, 1, 1, tzinfo=UTC)

    async def new_poll():
        pid = await write(
            db, store.create_poll, guild_id=1, channel_id=2, question="Q?",
            options=["A", "B", "C"], created_by=9, now=now,
        )  # fmt: skip
        await write(db, ballot_store.set_kind, pid, "ranked", None)
        return pid

    open_id, closed_id = await new_poll(), await new_poll()
    await write(db, store.close_poll, closed_id, now)
    writer = BallotWriter(db)
    first, *group = await asyncio.gather(
        writer.cast(open_id, 1, (0, 1), now),  # written alone
        writer.cast(open_id, 2, (2,), now),  # these three share one commit ...
        writer.cast(closed_id, 3, (1,), now),  # ... where the closed poll's is refused
        writer.cast(open_id, 1, (1,), now),
        return_exceptions=True,
    )
    assert first is None and writer.commits == 2
    assert group[0] is None and isinstance(group[1], PollError) and group[2] == (0, 1)
    assert await ballot_store.ballots(db, open_id) == {1: (1,), 2: (2,)}
    assert await ballot_store.ballots(db, closed_id) == {}
