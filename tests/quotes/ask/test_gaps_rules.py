"""The loop's rules without the bot: what is a gap, how gaps group, what a phrasing decides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from cogs.quotes.ask import gaps, gaps_store
from cogs.quotes.ask.gaps import Gap, Learned
from cogs.quotes.ask.hybrid import DENSE_CONFIDENT


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype="<f4")
    return v / np.linalg.norm(v)


def test_declined_and_weak_answers_are_gaps_confident_ones_are_not():
    assert gaps.reason(True, 0.9) == "declined"
    assert gaps.reason(False, DENSE_CONFIDENT - 0.01) == "weak"
    assert gaps.reason(False, DENSE_CONFIDENT) is None
    assert gaps.reason(False, None) is None  # keyword search only: nothing to judge by
    # An answer under a premise note (issue 22): the store never says what was asked.
    assert gaps.reason(False, 0.9, premise=True) == "weak"


def test_similar_gaps_group_and_the_most_asked_group_comes_first():
    a, near, far = _unit(1, 0, 0), _unit(1, 0.2, 0), _unit(0, 1, 0)
    found = gaps.group(
        [
            Gap(1, "lonely", far, 7, "declined", "2026-01-01"),
            Gap(2, "dvd?", a, 8, "declined", "2026-01-02"),
            Gap(3, "buy the dvd", near, 9, "weak", "2026-01-03"),
            Gap(4, "No Vector", None, 9, "unhelpful", "2026-01-04"),
            Gap(5, "no  vector", None, 8, "declined", "2026-01-05"),
        ]
    )
    assert [g.ids for g in found] == [[2, 3], [4, 5], [1]]
    assert found[0].askers == 2 and found[1].questions == ["No Vector"]
    assert gaps.group_of(found, 3) is found[0] and gaps.group_of(found, 99) is None


def test_a_learned_phrasing_decides_above_its_threshold_out_of_scope_first():
    q = _unit(1, 0, 0)
    taught = Learned("taught", "where to buy", _unit(1, 0.1, 0), "film-cast-amy")
    scope = Learned("out_of_scope", "weather", _unit(0, 1, 0), None)
    assert gaps.match("x", q, [taught, scope]).learned is taught
    assert gaps.match("x", _unit(0, 1, 0.05), [taught, scope]).learned is scope
    assert gaps.match("x", _unit(0, 0, 1), [taught, scope]) is None
    same = Learned("out_of_scope", "Where To Buy", None, None)
    assert gaps.match("where to  buy", None, [taught, same]).learned is same  # no model


async def test_retention_prunes_old_gaps(db):
    now = datetime(2026, 12, 1, tzinfo=UTC)
    async with db.transaction() as tx:
        await gaps_store.record(tx, 1, 2, "old?", None, "declined", now - timedelta(days=91))
        await gaps_store.record(tx, 1, 2, "new?", None, "declined", now)
        assert await gaps_store.prune(tx, now) == 1
    assert [g.question for g in await gaps_store.open_gaps(db, 1)] == ["new?"]
