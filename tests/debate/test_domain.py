"""Debates' domain: the swing, the phase machine, queues, the swing chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cogs.debate import machine, store, swing
from tests.helpers import write

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


# ------------------------------------------------------------------------- swing


def test_swing_counts_only_members_who_voted_twice():
    pre = {1: "for", 2: "against", 3: "undecided", 4: "undecided", 5: "for"}
    post = {1: "for", 2: "for", 3: "for", 4: "against", 6: "against"}
    r = swing.compute(pre, post)
    assert r.matched == 4 and r.pre_voters == 5 and r.post_voters == 5
    assert r.pre == {"for": 1, "against": 1, "undecided": 2}
    assert r.post == {"for": 3, "against": 1, "undecided": 0}
    assert r.swing("for") == pytest.approx(50.0)
    assert r.swing("against") == pytest.approx(0.0)
    assert r.winner == "for"
    assert r.moves[("against", "for")] == 1 and r.moves[("undecided", "against")] == 1
    assert swing.notable_moves(r)[0] == ("against", "for", 1)


def test_swing_nobody_voted_twice():
    r = swing.compute({1: "for"}, {2: "against"})
    assert r.matched == 0 and r.winner is None
    assert r.share("pre", "for") == 0.0


def test_swing_tie_and_everyone_undecided():
    everyone = {i: "undecided" for i in range(10)}
    r = swing.compute(everyone, everyone)
    assert r.winner == "tie" and r.moves[("undecided", "undecided")] == 10
    tie = swing.compute({1: "undecided", 2: "undecided"}, {1: "for", 2: "against"})
    assert tie.winner == "tie"


def test_swing_against_wins_even_if_for_keeps_majority():
    pre = {i: "for" for i in range(8)} | {8: "undecided", 9: "undecided"}
    post = {i: "for" for i in range(7)} | {7: "against", 8: "against", 9: "for"}
    r = swing.compute(pre, post)
    assert r.post["for"] == 8 and r.winner == "against"


def test_moves_table_shape():
    r = swing.compute({1: "for"}, {1: "against"})
    lines = swing.moves_table(r).splitlines()
    assert lines[0].split()[-3:] == ["For", "Against", "Undecided"]
    assert lines[1].split() == ["For", "0", "1", "0"]


def test_unknown_side_is_refused():
    with pytest.raises(ValueError):
        swing.compute({1: "maybe"}, {})


# ---------------------------------------------------------------------- machine


def test_phases_in_order_and_skip():
    s = machine.State()
    seen = [s.phase]
    while s.phase != "finished":
        s = machine.advance(s)
        seen.append(s.phase)
    assert seen == list(machine.PHASES)
    with pytest.raises(machine.TransitionError):
        machine.advance(s)
    q = machine.State(phase="rebuttal")
    assert machine.skip(q).phase == "closing_for"  # no audience questions tonight
    with pytest.raises(machine.TransitionError, match="cannot be skipped"):
        machine.skip(machine.State(phase="closing_against"))


def test_timer_pause_resume_extend():
    s = machine.State(phase="opening_for")
    s = machine.give_floor(s, NOW, 7, "for", 300)
    assert s.deadline == NOW + timedelta(seconds=300)
    paused = machine.pause(s, NOW + timedelta(seconds=100))
    assert paused.remaining == 200 and paused.deadline is None
    with pytest.raises(machine.TransitionError):
        machine.give_floor(paused, NOW, 8, "for", 300)
    resumed = machine.resume(paused, NOW + timedelta(hours=1))
    assert resumed.deadline == NOW + timedelta(hours=1, seconds=200)
    longer = machine.extend(resumed, 60)
    assert longer.deadline == NOW + timedelta(hours=1, seconds=260)
    overrun = NOW + timedelta(hours=2)  # long after the speech's time was up
    assert machine.extend(resumed, 60, overrun).deadline == overrun + timedelta(seconds=60)
    with pytest.raises(machine.TransitionError, match="For side"):
        machine.give_floor(s, NOW, 8, "against", 300)
    with pytest.raises(machine.TransitionError):
        machine.give_floor(machine.State(), NOW, 8, "for", 300)


def test_notices_due_and_wakeups():
    s = machine.give_floor(machine.State(phase="rebuttal"), NOW, 7, "against", 180)
    assert machine.next_wakeup(s, (60, 30), set()) == NOW + timedelta(seconds=120)
    assert machine.notices_due(s, NOW + timedelta(seconds=125), (60, 30)) == ["60"]
    assert machine.notices_due(s, NOW + timedelta(seconds=200), (60, 30)) == ["60", "30", "end"]
    assert machine.next_wakeup(s, (60, 30), {"60", "30", "end"}) is None
    short = machine.give_floor(machine.State(phase="rebuttal"), NOW, 7, "for", 45)
    assert machine.notices_due(short, NOW + timedelta(seconds=20), (60, 30)) == ["30"]


async def test_save_state_is_guarded_by_version(db):
    did = await write(
        db, store.create_debate, guild_id=1, channel_id=2, motion="M", moderator_id=3, now=NOW
    )
    d = await store.get_debate(db, did)
    assert await write(db, store.save_state, d, machine.advance(d.state), NOW)
    assert not await write(db, store.save_state, d, machine.advance(d.state), NOW)  # stale copy
    fresh = await store.get_debate(db, did)
    assert fresh.state.phase == "opening_for"
    assert await write(db, store.claim_notice, did, fresh.state.seq, "60")
    assert not await write(db, store.claim_notice, did, fresh.state.seq, "60")


async def test_queues_one_place_each(db):
    did = await write(
        db, store.create_debate, guild_id=1, channel_id=2, motion="M", moderator_id=3, now=NOW
    )
    assert await write(db, store.join_queue, did, 10, NOW, side="for")
    assert not await write(db, store.join_queue, did, 10, NOW, side="for")
    assert await write(db, store.join_queue, did, 10, NOW, side="against")  # switches side
    assert await write(db, store.join_queue, did, 11, NOW, side="for")
    assert [w.user_id for w in await store.waiting(db, did, "speaker")] == [10, 11]
    nxt = await store.next_waiting(db, did, "speaker", "for")
    assert nxt.user_id == 11
    assert await write(db, store.mark_called, nxt.entry_id, NOW)
    assert await write(db, store.join_queue, did, 11, NOW, side="for")  # may queue again later


def test_swing_chart_is_png():
    from cogs.debate import charts

    assert charts.swing_chart("M", [30, 40, 30], [50, 40, 10]).startswith(b"\x89PNG")
