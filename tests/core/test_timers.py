"""The core scheduler's retry policy (bot/timers.py).

Timers, retries and sweeps are driven through the features that use them, as members see
them: tests/polls/test_exactly_once.py, tests/polls/test_poll_lifecycle.py and the debate
and recording tests.
"""

from __future__ import annotations

from bot.timers import RETRY_MAX, backoff


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(100) == RETRY_MAX
    assert backoff(0).total_seconds() == 5
