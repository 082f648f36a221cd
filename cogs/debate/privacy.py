"""Debates' part in /privacy: what forget-me removes or anonymises, and what is kept.

Votes in open polls and queue entries (their words) are deleted; votes in closed polls stay
counted under one anonymous id per forget (a debate's before/after pairing holds; approval
and ranked ballots get the same id); ids of
polls, schedules and debates a member ran are cleared. A point of information still waiting
is deleted; answered ones stay in a speech's counts under id 0. The SQL lives in
:mod:`cogs.debate.store` (with :mod:`cogs.debate.ballot_store`'s ballots),
:mod:`cogs.debate.poi_store` and (the poll lifecycle) :mod:`cogs.debate.lifecycle_store`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.db import Reader, Transaction
from bot.feature import Privacy
from cogs.debate import ballot_store, lifecycle_store, poi_store, store


def _merged_counts(*parts: Mapping[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for part in parts:
        for label, count in part.items():
            total[label] = total.get(label, 0) + count
    return total


def _merged_columns(*parts: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for part in parts:
        for table, columns in part.items():
            merged[table] = merged.get(table, ()) + columns
    return merged


async def forget(tx: Transaction, user_id: int) -> dict[str, int]:
    return _merged_counts(
        await store.forget(tx, user_id),
        {poi_store.POIS: await poi_store.forget(tx, user_id)},
        await lifecycle_store.forget(tx, user_id),
    )


async def status(db: Reader, user_id: int) -> dict[str, int]:
    return _merged_counts(
        await store.status(db, user_id),
        {poi_store.POIS_KEPT: await poi_store.status(db, user_id)},
        await lifecycle_store.status(db, user_id),
    )


PRIVACY = Privacy(
    forget=forget,
    status=status,
    personal_columns=_merged_columns(
        store.PERSONAL_COLUMNS,
        ballot_store.PERSONAL_COLUMNS,
        poi_store.PERSONAL_COLUMNS,
        lifecycle_store.PERSONAL_COLUMNS,
    ),
    other_columns=_merged_columns(
        store.OTHER_COLUMNS,
        ballot_store.OTHER_COLUMNS,
        poi_store.OTHER_COLUMNS,
        lifecycle_store.OTHER_COLUMNS,
    ),
)
