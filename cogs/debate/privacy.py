"""Debates' part in /privacy: what forget-me removes or anonymises, and what is kept.

Votes in open polls and queue entries (their words) are deleted; votes in closed polls stay
counted under one anonymous id per forget (a debate's before/after pairing holds); ids of
polls and debates a member ran are cleared. A point of information still waiting is deleted;
answered ones stay in a speech's counts under id 0. The SQL lives in :mod:`cogs.debate.store`
and :mod:`cogs.debate.poi_store`.
"""

from __future__ import annotations

from bot.db import Reader, Transaction
from bot.feature import Privacy
from cogs.debate import poi_store, store


async def forget(tx: Transaction, user_id: int) -> dict[str, int]:
    done = await store.forget(tx, user_id)
    done[poi_store.POIS] = await poi_store.forget(tx, user_id)
    return done


async def status(db: Reader, user_id: int) -> dict[str, int]:
    kept = await store.status(db, user_id)
    kept[poi_store.POIS_KEPT] = await poi_store.status(db, user_id)
    return kept


PRIVACY = Privacy(
    forget=forget,
    status=status,
    personal_columns={**store.PERSONAL_COLUMNS, **poi_store.PERSONAL_COLUMNS},
    other_columns={**store.OTHER_COLUMNS, **poi_store.OTHER_COLUMNS},
)
