"""The formatting rules every feature shares: one rounding rule for shares, one for plurals."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.presentation import percent_of, percentages, plural


def test_a_three_way_tie_reads_34_33_33():
    assert percentages([1, 1, 1]) == (34, 33, 33)
    assert percentages([1, 1, 1], places=1) == (33.4, 33.3, 33.3)
    assert percentages([0, 0]) == (0, 0)
    assert percentages([2, 1]) == (67, 33)


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12))
def test_shares_always_add_up_to_100(counts):
    whole = percentages(counts)
    assert sum(whole) == (100 if sum(counts) else 0)
    assert all(isinstance(p, int) for p in whole)
    tenths = percentages(counts, places=1)
    assert round(sum(tenths) * 10) == (1000 if sum(counts) else 0)
    for n, p in zip(counts, whole, strict=True):  # never more than a point from the exact share
        assert abs(p - (n * 100 / sum(counts) if sum(counts) else 0)) < 1


def test_a_share_on_its_own_rounds_halves_up():
    assert percent_of(1, 8) == 13  # 12.5: Python's round() would say 12
    assert percent_of(2, 3) == 67 and percent_of(0, 0) == 0


def test_plural_agrees_with_the_count():
    assert plural(1, "quote") == "1 quote"
    assert plural(0, "quote") == "0 quotes"
    assert plural(2, "reply", "replies") == "2 replies"
    assert plural(1, "quote[s] of your words") == "1 quote of your words"
    assert plural(2, "quote[s] of your words") == "2 quotes of your words"
    assert plural(1, "[poll or debate|polls and debates] you ran") == "1 poll or debate you ran"
    assert plural(3, "[poll or debate|polls and debates] you ran") == "3 polls and debates you ran"
