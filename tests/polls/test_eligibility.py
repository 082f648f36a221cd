"""Eligibility rules and the quorum, the domain (cogs/polls/eligibility.py), tested directly."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from cogs.polls import polls
from cogs.polls.eligibility import (
    DISCORD_EPOCH_MS,
    Eligibility,
    Rules,
    Voter,
    account_created,
    parse_rules,
    refusal,
    turnout,
)

NOW = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def user_made(moment: datetime) -> int:
    """A user id (snowflake) whose account was made at ``moment``."""
    return (int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22


def test_the_typed_rules_are_read_and_fixed_when_a_poll_opens():
    rules = parse_rules("joined 7d; account 30d, screened", "20%")
    assert rules == Rules(timedelta(days=7), timedelta(days=30), True, None, 20)
    fixed = rules.for_poll(NOW, member_count=251)
    assert fixed.joined_before == NOW - timedelta(days=7)
    assert fixed.quorum == 51  # 20% of 251 members, rounded up
    assert parse_rules("joined", "50").for_poll(NOW, None) == Eligibility(
        joined_before=NOW, quorum=50
    )
    assert parse_rules(None, None) == Rules()
    assert parse_rules("Joined 2d before", None).joined == timedelta(days=2)


@pytest.mark.parametrize(
    ("eligible", "quorum", "words"),
    [
        ("everyone", None, "can't read the eligibility rules"),
        ("role", None, "`role:` option"),
        ("account 0d", None, "duration"),
        ("account 20000d", None, "at most"),
        ("x" * 6000, None, "at most 100 characters"),
        ("joined\x00", None, "can't read"),
        (None, "lots", "can't read the quorum"),
        (None, "0", "can't read the quorum"),
        (None, "150%", "at most 100%"),
        (None, "9" * 6000, "can't read the quorum"),
    ],
)
def test_rules_nobody_can_read_are_refused_in_words(eligible, quorum, words):
    with pytest.raises(ValueError, match=words):
        parse_rules(eligible, quorum)


def test_account_age_comes_from_the_id_snowflake():
    made = datetime(2025, 5, 1, tzinfo=UTC)
    assert account_created(user_made(made)) == made


def test_each_rule_refuses_with_its_reason_and_when_the_member_would_qualify():
    rules = parse_rules("joined 7d, account 30d, screened", None).for_poll(NOW, None)
    old = user_made(NOW - timedelta(days=400))
    fine = Voter(old, joined_at=NOW - timedelta(days=8))
    assert refusal(rules, fine, NOW, None) is None

    pending = dataclasses.replace(fine, pending=True)
    assert "membership screening" in (refusal(rules, pending, NOW, None) or "")

    newcomer = dataclasses.replace(fine, joined_at=NOW - timedelta(days=1))
    said = refusal(rules, newcomer, NOW, None) or ""
    cutoff = int((NOW - timedelta(days=7)).timestamp())
    assert f"joined the server before <t:{cutoff}:f>" in said
    qualifies = int((NOW + timedelta(days=6)).timestamp())
    assert f"open after <t:{qualifies}:f>" in said

    young = Voter(user_made(NOW - timedelta(days=10)), joined_at=NOW - timedelta(days=8))
    said = refusal(rules, young, NOW, NOW + timedelta(days=1)) or ""
    ready = int((NOW + timedelta(days=20)).timestamp())
    assert "at least 30 days old" in said and f"<t:{ready}:f>" in said
    assert "after this poll closes" in said
    later = NOW + timedelta(days=21)
    assert refusal(rules, young, later, None) is None  # the account has aged into it


def test_may_vote_applies_the_rules_after_the_role():
    poll = polls.Poll(
        id=1,
        guild_id=1,
        channel_id=2,
        message_id=3,
        question="Q?",
        kind="poll",
        anonymous=True,
        live=True,
        role_id=None,
        created_by=9,
        created_at=NOW,
        closes_at=NOW + timedelta(hours=1),
        closed_at=None,
        options=("A", "B"),
        eligibility=Eligibility(joined_before=NOW),
    )
    late = Voter(5, joined_at=NOW + timedelta(minutes=1))
    refused = polls.may_vote(poll, ballot_kind="single", voter=late, now=NOW, option=0)
    assert refused is not None and not refused.closes and "joined the server" in refused.text
    early = Voter(5, joined_at=NOW - timedelta(minutes=1))
    assert polls.may_vote(poll, ballot_kind="single", voter=early, now=NOW, option=0) is None


def test_quorum_turnout_live_and_in_the_result():
    rules = Eligibility(quorum=50)
    short = turnout(12, rules)
    assert not short.reached
    assert short.live() == "Turnout: 12 of 50 votes for the quorum (38 more votes needed)"
    assert "Quorum not reached" in (short.verdict() or "")
    met = turnout(50, rules)
    assert met.reached and met.verdict() == "Quorum reached: 50 of 50 votes needed."
    assert "quorum reached" in met.live()
    none = turnout(3, Eligibility())
    assert none.reached and none.verdict() is None
