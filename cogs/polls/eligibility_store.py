"""The SQL of a poll's eligibility rules and quorum (:mod:`cogs.polls.eligibility`).

Writers take the :class:`~bot.db.Transaction` they run in: the rules are set in the
transaction that creates the poll or the schedule, so a poll is never open without them.
A poll's row is read by :mod:`cogs.polls.store` (``SELECT *``), which calls
:func:`eligibility_of` on it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import iso, parse
from bot.db import Reader, Record, Transaction
from cogs.polls.eligibility import Eligibility, Rules


def _seconds(span: timedelta | None) -> int | None:
    return None if span is None else int(span.total_seconds())


def _span(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=int(value))


async def set_poll_eligibility(tx: Transaction, poll_id: int, rules: Eligibility) -> None:
    """The rules of a poll just created in ``tx``."""
    await tx.execute(
        "UPDATE polls SET eligible_joined_before = ?, eligible_joined_s = ?,"
        " eligible_account_s = ?, eligible_screened = ?, quorum = ?, quorum_percent = ?"
        " WHERE id = ?",
        (
            iso(rules.joined_before) if rules.joined_before else None,
            _seconds(rules.joined),
            _seconds(rules.account_age),
            int(rules.screened),
            rules.quorum,
            rules.quorum_percent,
            poll_id,
        ),
    )


def eligibility_of(row: Record) -> Eligibility:
    """A ``polls`` row's rules."""
    before = row["eligible_joined_before"]
    return Eligibility(
        joined_before=parse(before) if before else None,
        joined=_span(row["eligible_joined_s"]),
        account_age=_span(row["eligible_account_s"]),
        screened=bool(row["eligible_screened"]),
        quorum=row["quorum"],
        quorum_percent=row["quorum_percent"],
    )


async def set_schedule_rules(tx: Transaction, schedule_id: int, rules: Rules) -> None:
    """The rules, as typed, of a schedule just created in ``tx``."""
    await tx.execute(
        "UPDATE poll_schedules SET eligible_joined_s = ?, eligible_account_s = ?,"
        " eligible_screened = ?, quorum = ?, quorum_percent = ? WHERE id = ?",
        (
            _seconds(rules.joined),
            _seconds(rules.account),
            int(rules.screened),
            rules.quorum_votes,
            rules.quorum_percent,
            schedule_id,
        ),
    )


def rules_of(row: Record) -> Rules:
    """A ``poll_schedules`` row's rules."""
    return Rules(
        joined=_span(row["eligible_joined_s"]),
        account=_span(row["eligible_account_s"]),
        screened=bool(row["eligible_screened"]),
        quorum_votes=row["quorum"],
        quorum_percent=row["quorum_percent"],
    )


async def poll_eligibility(db: Reader, poll_id: int) -> Eligibility | None:
    row = await db.fetchone("SELECT * FROM polls WHERE id = ?", (poll_id,))
    return None if row is None else eligibility_of(row)


# ------------------------------------------------------------------------------- privacy

# The rules are a moderator's settings for everyone, not anything a member typed or did.
_RULE_COLUMNS = ("eligible_joined_s", "eligible_account_s", "eligible_screened", "quorum")
OTHER_COLUMNS = {
    "polls": ("eligible_joined_before", *_RULE_COLUMNS, "quorum_percent"),
    "poll_schedules": (*_RULE_COLUMNS, "quorum_percent"),
}
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {}
