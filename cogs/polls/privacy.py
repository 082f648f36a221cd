"""Polls' part in /privacy: what forget-me removes or anonymises, and what is kept.

Votes in open polls are deleted; votes in closed polls stay counted under one anonymous id
per forget (a debate's before/after pairing holds; approval and ranked ballots get the same
id); ids of polls and schedules a member ran are cleared. The SQL lives in
:mod:`cogs.polls.store` (with :mod:`cogs.polls.ballot_store`'s ballots) and (the poll
lifecycle) :mod:`cogs.polls.lifecycle_store`.
"""

from __future__ import annotations

from bot.db import Reader, Transaction
from bot.feature import Privacy, merged_columns, merged_counts
from cogs.polls import ballot_store, eligibility_store, lifecycle_store, store


async def forget(tx: Transaction, user_id: int) -> dict[str, int]:
    return merged_counts(await store.forget(tx, user_id), await lifecycle_store.forget(tx, user_id))


async def status(db: Reader, user_id: int) -> dict[str, int]:
    return merged_counts(await store.status(db, user_id), await lifecycle_store.status(db, user_id))


PRIVACY = Privacy(
    forget=forget,
    status=status,
    personal_columns=merged_columns(
        store.PERSONAL_COLUMNS, ballot_store.PERSONAL_COLUMNS, lifecycle_store.PERSONAL_COLUMNS
    ),
    other_columns=merged_columns(
        store.OTHER_COLUMNS,
        ballot_store.OTHER_COLUMNS,
        lifecycle_store.OTHER_COLUMNS,
        eligibility_store.OTHER_COLUMNS,
    ),
)
