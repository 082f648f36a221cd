"""Domain tests on a real SQLite file: polls, swing, the phase machine, limits, config."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.presentation import percentages
from cogs.debate import machine, polls, quickpoll, store, swing
from cogs.debate.config import load_config, load_motions
from cogs.debate.timeparse import parse_duration, parse_start
from cogs.debate.writer import BatchedVoteWriter, DirectVoteWriter
from tests.debate.helpers import write

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


async def new_poll(db, **kw):
    args = dict(
        guild_id=1,
        channel_id=2,
        question="Q?",
        options=["For", "Against", "Undecided"],
        created_by=9,
        now=NOW,
        closes_at=NOW + timedelta(hours=1),
    )
    args.update(kw)
    return await write(db, store.create_poll, **args)


# ------------------------------------------------------------------------- polls


async def test_one_vote_per_member_change_and_retract(db):
    pid = await new_poll(db)
    first = await write(db, store.vote, pid, 100, 0, NOW)
    assert first.previous is None
    again = await write(db, store.vote, pid, 100, 1, NOW)
    assert again.previous == 0
    await write(db, store.vote, pid, 101, 1, NOW)
    assert (await store.tally(db, pid)).counts == (0, 2, 0)
    assert await write(db, store.retract, pid, 100)
    assert not await write(db, store.retract, pid, 100)
    assert (await store.tally(db, pid)).counts == (0, 1, 0)


async def test_closed_poll_refuses_votes_and_closes_once(db):
    pid = await new_poll(db)
    await write(db, store.vote, pid, 1, 0, NOW)
    assert await write(db, store.close_poll, pid, NOW)
    assert not await write(db, store.close_poll, pid, NOW)
    with pytest.raises(polls.PollError):
        await write(db, store.vote, pid, 2, 0, NOW)
    with pytest.raises(polls.PollError):
        await write(db, store.retract, pid, 1)
    assert (await store.tally(db, pid)).counts == (1, 0, 0)


async def test_unknown_option_is_refused_by_the_schema(db):
    pid = await new_poll(db, options=["Yes", "No"])
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        await write(db, store.vote, pid, 1, 5, NOW)


async def test_option_validation(db):
    with pytest.raises(polls.PollError, match="2 to 10"):
        await new_poll(db, options=["Only one"])
    with pytest.raises(polls.PollError, match="2 to 10"):
        await new_poll(db, options=[f"o{i}" for i in range(11)])
    with pytest.raises(polls.PollError, match="differ"):
        await new_poll(db, options=["Yes", "yes"])
    with pytest.raises(polls.PollError, match="future"):
        await new_poll(db, closes_at=NOW)


async def test_overdue_and_pending(db):
    a = await new_poll(db, closes_at=NOW + timedelta(minutes=5))
    b = await new_poll(db, closes_at=NOW + timedelta(hours=5))
    await new_poll(db, closes_at=None)
    later = NOW + timedelta(minutes=10)
    assert await store.overdue_polls(db, later) == [a]
    assert [p for p, _ in await store.pending_deadlines(db)] == [a, b]


def test_percentages_add_up_to_100():
    assert percentages([1, 1, 1]) == (34, 33, 33)
    assert percentages([0, 0]) == (0, 0)
    assert sum(percentages([7, 3, 5, 2])) == 100


async def test_export_names_only_for_public_polls(db):
    anon = await new_poll(db)
    public = await new_poll(db, anonymous=False)
    for pid in (anon, public):
        await write(db, store.vote, pid, 555, 1, NOW)
        await write(db, store.vote, pid, 556, 0, NOW)
    p = await store.get_poll(db, anon)
    data = polls.export_data(p, await store.tally(db, anon), await store.ballots(db, anon))
    assert "votes" not in data and "555" not in polls.export_csv(data)
    assert data["options"][1] == {"option": "Against", "votes": 1, "percent": 50}
    p = await store.get_poll(db, public)
    data = polls.export_data(p, await store.tally(db, public), await store.ballots(db, public))
    assert {"user_id": "555", "option": "Against"} in json.loads(polls.export_json(data))["votes"]
    csv_text = polls.export_csv(data)
    assert csv_text.splitlines()[0] == "poll_id,question,option,votes,percent"
    assert "555,Against" in csv_text


@pytest.mark.parametrize("writer_cls", [DirectVoteWriter, BatchedVoteWriter])
async def test_writers_agree_under_concurrent_votes(db, writer_cls):
    pid = await new_poll(db)
    writer = writer_cls(db)
    # 300 votes from 100 members at once: each member's last vote wins.
    jobs = [writer.submit(pid, 1000 + i % 100, (i // 100) % 3, NOW) for i in range(300)]
    outcomes = await asyncio.gather(*jobs)
    assert len(outcomes) == 300
    assert (await store.tally(db, pid)).counts == (0, 0, 100)
    if writer_cls is BatchedVoteWriter:
        assert writer.commits < 300


async def test_batched_writer_refuses_closed_poll(db):
    pid = await new_poll(db)
    await write(db, store.close_poll, pid, NOW)
    with pytest.raises(polls.PollError):
        await BatchedVoteWriter(db).submit(pid, 1, 0, NOW)


class CloseDuringGroup:
    """The real database; a moderator's close lands between a group's check and its write.

    With the write lock held for the whole group no other writer can land there any more, so
    the close is made inside the group's own transaction: the upsert's guard must still decide.
    """

    def __init__(self, db, poll_id):
        self.db, self.poll_id, self.closed = db, poll_id, False

    def __getattr__(self, name):
        return getattr(self.db, name)

    @contextlib.asynccontextmanager
    async def transaction(self):
        async with self.db.transaction() as tx:
            yield ClosingTransaction(tx, self)


class ClosingTransaction:
    def __init__(self, tx, owner):
        self.tx, self.owner = tx, owner

    def __getattr__(self, name):
        return getattr(self.tx, name)

    async def fetchall(self, sql, params=()):
        if sql.startswith("SELECT user_id, position FROM poll_votes") and not self.owner.closed:
            self.owner.closed = True
            await store.close_poll(self.tx, self.owner.poll_id, NOW)
        return await self.tx.fetchall(sql, params)


async def test_batched_group_closed_mid_write_is_not_reported_counted(db):
    pid = await new_poll(db)
    writer = BatchedVoteWriter(CloseDuringGroup(db, pid))
    first, *grouped = await asyncio.gather(
        *(writer.submit(pid, user, 0, NOW) for user in (1, 2, 3)), return_exceptions=True
    )
    assert writer.groups == [1, 2]  # the first click alone, then a group of two
    assert first == polls.VoteOutcome(None, 0)
    assert all(isinstance(outcome, polls.PollError) for outcome in grouped), grouped
    assert (await store.tally(db, pid)).counts == (1, 0, 0)


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


# ------------------------------------------------------------- limits and config


def test_quick_poll_limits():
    ok = quickpoll.validate("Best scene?", ["Beach", "Ending"], 24)
    assert ok.answers == ("Beach", "Ending")
    with pytest.raises(ValueError, match="300"):
        quickpoll.validate("x" * 301, ["a", "b"], 1)
    with pytest.raises(ValueError, match="10"):
        quickpoll.validate("q", [str(i) for i in range(11)], 1)
    with pytest.raises(ValueError, match="55"):
        quickpoll.validate("q", ["a" * 56, "b"], 1)
    with pytest.raises(ValueError, match="768"):
        quickpoll.validate("q", ["a", "b"], 769)


def test_durations_and_starts():
    assert parse_duration("1d12h") == timedelta(hours=36)
    assert parse_duration("90m") == timedelta(minutes=90)
    with pytest.raises(ValueError, match="30m"):
        parse_duration("soon")
    assert parse_start("in 2h", NOW) == NOW + timedelta(hours=2)
    for huge in ("99999999999d", "in 99999999999d", "in 900000000d"):  # no OverflowError
        with pytest.raises(ValueError, match="at most 366 days"):
            parse_start(huge, NOW) if huge.startswith("in") else parse_duration(huge)
    assert parse_start("2026-12-01 19:00", NOW) == datetime(2026, 12, 1, 19, tzinfo=UTC)


def test_shipped_motions_and_settings(settings):
    config = load_config(settings.section("debate"), settings.path)
    first = config.motions[0]
    assert first.text == "This house believes Sam Altman misreads *Her*"
    assert first.options == ("For", "Against", "Undecided")
    assert config.phase_seconds["opening_for"] == 300


def test_bad_motions_file_is_a_clear_config_error(tmp_path: Path):
    bad = tmp_path / "m.toml"
    bad.write_text('[[motion]]\nid = "x"\ntext = "T"\noptions = ["only"]\n')
    with pytest.raises(ConfigError, match="2 to 10"):
        load_motions(bad)
    bad.write_text('[[motion]]\nid = "Bad Id"\ntext = "T"\n')
    with pytest.raises(ConfigError, match="id"):
        load_motions(bad)


def test_charts_are_png_and_keep_dollars_literal():
    from cogs.debate import charts

    png = charts.poll_chart("Worth $7 trillion? $yes$", ["$5", "No"], [3, 1])
    assert png.startswith(b"\x89PNG")
    assert charts.swing_chart("M", [30, 40, 30], [50, 40, 10]).startswith(b"\x89PNG")
