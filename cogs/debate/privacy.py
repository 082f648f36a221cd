"""Debates' part in /privacy: what forget-me removes or anonymises, and what is kept.

Queue entries (their words) are deleted; ids of debates and scheduled events a member ran
are cleared. A point of information still waiting is deleted; answered ones stay in a
speech's counts under id 0. A judge's seat and ballot go while the decision is unreleased,
and stay in a released decision under a surrogate id, like votes in a closed poll. Votes in
a debate's polls are the polls feature's part. The SQL lives in :mod:`cogs.debate.store`,
:mod:`cogs.debate.poi_store`, :mod:`cogs.debate.judges_store` and
:mod:`cogs.debate.veto_store` (a motion veto's strikes stay, under id 0).
"""

from __future__ import annotations

from bot.db import Reader, Transaction
from bot.feature import Privacy, merged_columns
from cogs.debate import judges_store, poi_store, store, veto_store


async def forget(tx: Transaction, user_id: int) -> dict[str, int]:
    return {
        **await store.forget(tx, user_id),
        poi_store.POIS: await poi_store.forget(tx, user_id),
        judges_store.BALLOTS: await judges_store.forget(tx, user_id),
        veto_store.STRIKES: await veto_store.forget(tx, user_id),
    }


async def status(db: Reader, user_id: int) -> dict[str, int]:
    return {
        **await store.status(db, user_id),
        poi_store.POIS_KEPT: await poi_store.status(db, user_id),
        judges_store.BALLOTS_KEPT: await judges_store.status(db, user_id),
        veto_store.STRIKES_KEPT: await veto_store.status(db, user_id),
    }


PRIVACY = Privacy(
    forget=forget,
    status=status,
    personal_columns=merged_columns(
        store.PERSONAL_COLUMNS,
        poi_store.PERSONAL_COLUMNS,
        judges_store.PERSONAL_COLUMNS,
        veto_store.PERSONAL_COLUMNS,
    ),
    other_columns=merged_columns(
        store.OTHER_COLUMNS,
        poi_store.OTHER_COLUMNS,
        judges_store.OTHER_COLUMNS,
        veto_store.OTHER_COLUMNS,
    ),
)
