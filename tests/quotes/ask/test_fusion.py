"""Reciprocal rank fusion, and each leg's first choice keeping a place in the top 3."""

from __future__ import annotations

from cogs.quotes.ask.hybrid import Ranked, decide, rrf, with_leaders


def test_rrf_rewards_agreement():
    scores = rrf([[1, 2, 3], [3, 2, 4]])
    assert max(scores, key=scores.get) in {2, 3}
    assert scores[2] > scores[1] and scores[3] > scores[4]


def test_each_legs_leader_keeps_a_place_in_the_top_three():
    order = [10, 11, 12, 13, 99]
    assert with_leaders([99], order) == [10, 11, 99, 12, 13]
    assert with_leaders([10, 99], order) == [10, 11, 99, 12, 13]
    assert with_leaders([10, 11], order) == order
    assert with_leaders([], order) == order


def test_decline_needs_a_near_passage_or_strong_keyword_backing():
    ranked = [Ranked(1, cosine=0.30, lexical_rank=1, coverage=0.8)]
    assert decide("hybrid", 0.40, 0.0, ranked)[0]  # close in meaning
    assert decide("hybrid", 0.30, 0.8, ranked)[0]  # near enough, and the words are there
    assert not decide("hybrid", 0.30, 0.5, ranked)[0]  # neither
    assert not decide("hybrid", 0.10, 1.0, ranked)[0]  # every word, but about something else
    assert decide("lexical", None, 0.8, ranked)[0]
    assert not decide("lexical", None, 0.5, ranked)[0]
