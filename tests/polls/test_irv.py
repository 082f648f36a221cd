"""Instant-runoff counting (cogs/polls/irv.py) and the ballot rules (cogs/polls/ballots.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cogs.polls import ballots, irv
from cogs.polls.polls import Poll, PollError

A, B, C, D = range(4)


def test_majority_in_the_first_round_ends_the_count():
    result = irv.count(3, [[A], [A, B], [B], [A, C]])
    assert result.winner == A
    assert len(result.rounds) == 1
    assert result.rounds[0].counts == {A: 3, B: 1, C: 0}


def test_three_rounds_with_transfers_and_an_exhausted_ballot():
    """4 x [A], 3 x [B, C], 2 x [C, B], 1 x [D, C] (10 ballots, a majority is 6 of 10).

    Round 1: A 4, B 3, C 2, D 1 -> D out; its ballot goes to C (C +1).
    Round 2: A 4, B 3, C 3 -> B and C tie for last; in round 1 C had fewer (2 < 3): C out.
             Its two [C, B] ballots go to B, the [D, C] ballot has nobody left: exhausted.
    Round 3: A 4, B 5 of 9 continuing ballots -> B wins with a majority.
    """
    result = irv.count(4, [[A]] * 4 + [[B, C]] * 3 + [[C, B]] * 2 + [[D, C]])
    one, two, three = result.rounds
    assert (one.counts, one.eliminated, one.transfers) == ({A: 4, B: 3, C: 2, D: 1}, D, {C: 1})
    assert not one.tie_break
    assert (two.counts, two.eliminated) == ({A: 4, B: 3, C: 3}, C)
    assert two.tie_break
    assert two.transfers == {B: 2, irv.EXHAUSTED: 1}
    assert (three.counts, three.exhausted, three.eliminated) == ({A: 4, B: 5}, 1, None)
    assert result.winner == B and result.decided_by_tie_break


def test_tie_level_in_every_round_eliminates_the_option_listed_last():
    result = irv.count(3, [[A], [B], [C], [A]])
    assert result.rounds[0].eliminated == C  # B and C level (1 each), nothing earlier: C last
    assert result.rounds[0].tie_break
    assert result.rounds[1].counts == {A: 2, B: 1}
    assert result.winner == A


def test_backwards_tie_break_looks_at_the_latest_round_where_they_differed():
    # Round 1: A 3, B 2, C 1, D 1 -> C and D level with nothing earlier: D (listed last) out,
    # to C. Round 2: A 3, B 2, C 2 -> B and C level, but in round 1 C had 1 < 2: C out.
    ballots_ = [[A]] * 3 + [[B]] * 2 + [[C]] + [[D, C]]
    result = irv.count(4, ballots_)
    assert result.rounds[1].counts == {A: 3, B: 2, C: 2}
    assert result.rounds[1].eliminated == C  # level now, but C had 1 < B's 2 in round 1
    assert result.rounds[1].tie_break


def test_an_even_split_of_two_is_decided_by_the_rule_not_left_open():
    result = irv.count(2, [[A], [B]])
    assert result.rounds[0].eliminated == B
    assert result.winner == A and result.decided_by_tie_break


def test_no_ballots_no_winner():
    result = irv.count(3, [])
    assert result.winner is None
    assert result.rounds[0].counts == {A: 0, B: 0, C: 0}


def test_every_ballot_exhausted_leaves_no_winner_only_when_nobody_is_left():
    result = irv.count(3, [[A], [B, A], [C, B]])
    assert result.winner is not None  # a continuing option always collects the rest
    assert result.rounds[-1].active + result.rounds[-1].exhausted == 3


@pytest.mark.parametrize(
    ("ranking", "words"),
    [([], "at least one"), ([A, A], "only once"), ([A, 7], "not on this poll")],
)
def test_invalid_rankings_are_refused(ranking, words):
    with pytest.raises(ValueError, match=words):
        irv.check_ranking(ranking, 3)


def _poll(kind: str, max_choices: int | None = None) -> Poll:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Poll(1, 1, 1, None, "Q", "poll", True, True, None, 1, now, None, None,
                ("A", "B", "C"), kind, max_choices)  # fmt: skip


def test_approval_ballots_are_capped_and_sorted():
    poll = _poll("approval", 2)
    assert ballots.check_ballot(poll, [2, 0]) == (0, 2)
    with pytest.raises(PollError, match="at most 2 options"):
        ballots.check_ballot(poll, [0, 1, 2])
    with pytest.raises(PollError, match="not valid"):
        ballots.check_ballot(poll, [0, 0])


def test_max_choices_only_for_approval_and_within_the_options():
    assert ballots.check_kind("approval", None, 3) is None
    assert ballots.check_kind("approval", 2, 3) == 2
    with pytest.raises(PollError, match="only applies to approval"):
        ballots.check_kind("ranked", 2, 3)
    with pytest.raises(PollError, match="between 1 and"):
        ballots.check_kind("approval", 5, 3)


def test_ranked_export_lists_ballots_and_rounds():
    poll = _poll("ranked")
    data = ballots.export_data(poll, {10: (0,), 11: (1, 0), -5: (2, 1)})
    assert data["kind"] == "ranked" and "user_id" not in data["ballots"][0]
    assert data["ballots"] == [{"choices": ["A"]}, {"choices": ["B", "A"]}, {"choices": ["C", "B"]}]
    assert data["rounds"][0]["eliminated"] == "C"  # 1 each, level: the one listed last
    assert data["winner"] == "B"
    text = ballots.export_csv(data)
    assert "ballot,choice_1,choice_2" in text
    public = ballots.export_data(poll.__class__(**{**_asdict(poll), "anonymous": False}),
                                 {10: (0,), -5: (2, 1)})  # fmt: skip
    assert {b["user_id"] for b in public["ballots"]} == {"10", "former member"}


def _asdict(poll: Poll) -> dict:
    return {name: getattr(poll, name) for name in poll.__slots__}
