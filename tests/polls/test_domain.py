"""Polls' domain on a real database: votes, closes, exports, writers, limits, settings."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.baselines import DirectVoteWriter
from bot.config import ConfigError
from bot.presentation import percentages
from cogs.debate.config import load_config as load_debate_config
from cogs.polls import polls, quickpoll, store
from cogs.polls.config import load_config, load_motions, merged_section
from cogs.polls.eligibility import Voter
from cogs.polls.writer import BatchedVoteWriter
from tests.helpers import write

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


def test_shipped_motions_and_settings(settings):
    config = load_config(settings.section("polls"), settings.path)
    first = config.motions[0]
    assert first.text == "This house believes Sam Altman misreads *Her*"
    assert first.options == ("For", "Against", "Undecided")
    debate = load_debate_config(settings.section("debate"), settings.path)
    assert debate.phase_seconds["opening_for"] == 300


def test_poll_keys_still_under_debate_are_read_with_a_warning(settings, caplog):
    section = merged_section({}, {"poll_default_hours": 2, "extend_seconds": 30})
    assert section == {"poll_default_hours": 2}
    assert "poll_default_hours belong in [polls]" in caplog.text
    config = load_config(section, settings.path)
    assert config.poll_default_hours == 2


def test_bad_motions_file_is_a_clear_config_error(tmp_path: Path):
    bad = tmp_path / "m.toml"
    bad.write_text('[[motion]]\nid = "x"\ntext = "T"\noptions = ["only"]\n')
    with pytest.raises(ConfigError, match="2 to 10"):
        load_motions(bad)
    bad.write_text('[[motion]]\nid = "Bad Id"\ntext = "T"\n')
    with pytest.raises(ConfigError, match="id"):
        load_motions(bad)


def test_charts_are_png_and_keep_dollars_literal():
    from cogs.polls import charts

    png = charts.poll_chart("Worth $7 trillion? $yes$", ["$5", "No"], [3, 1])
    assert png.startswith(b"\x89PNG")


def test_one_eligibility_rule_for_every_vote_click():
    """polls.may_vote: the fast lane and the DynamicItem path ask the same function."""
    poll = polls.Poll(
        id=1,
        guild_id=1,
        channel_id=2,
        message_id=3,
        question="Q?",
        kind="poll",
        anonymous=True,
        live=True,
        role_id=77,
        created_by=9,
        created_at=NOW,
        closes_at=NOW + timedelta(hours=1),
        closed_at=None,
        options=("A", "B"),
    )
    member = Voter(user_id=5, role_ids={77})
    ok = {"ballot_kind": "single", "voter": member, "now": NOW}
    assert polls.may_vote(poll, **ok, option=1) is None
    assert polls.may_vote(None, **ok).text == "This poll no longer exists."
    assert polls.may_vote(poll, **ok, option=2).text == "This poll no longer exists."
    assert polls.may_vote(poll, **{**ok, "ballot_kind": "ranked"}) is not None
    assert "role" in polls.may_vote(poll, **{**ok, "voter": Voter(user_id=5)}).text
    late = polls.may_vote(poll, **{**ok, "now": NOW + timedelta(hours=1)})
    assert late.closes and "has just closed: your vote" in late.text
    closed = dataclasses.replace(poll, closed_at=NOW, ballot_kind="approval")
    refused = polls.may_vote(closed, **{**ok, "ballot_kind": "approval"})
    assert refused.text == "This poll is closed: your ballot was not counted."


def test_benchmark_only_settings_are_gone_with_a_warning(settings, caplog):
    section = merged_section({"vote_path": "group-commit"}, {"batch_votes": False})
    assert "batch_votes, vote_path no longer exist" in caplog.text
    config = load_config(section, settings.path)
    assert not hasattr(config, "vote_path") and not hasattr(config, "batch_votes")
