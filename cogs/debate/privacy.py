"""Debates' part in /privacy: what forget-me removes or anonymises, and what is kept.

Votes in open polls and queue entries (their words) are deleted; votes in closed polls stay
counted under one anonymous id per forget (a debate's before/after pairing holds; approval
and ranked ballots get the same id); ids of polls and debates a member ran are cleared. The
SQL lives in :mod:`cogs.debate.store` and :mod:`cogs.debate.ballot_store`.
"""

from __future__ import annotations

from bot.feature import Privacy
from cogs.debate import ballot_store, store

PRIVACY = Privacy(
    forget=store.forget,
    status=store.status,
    personal_columns={**store.PERSONAL_COLUMNS, **ballot_store.PERSONAL_COLUMNS},
    other_columns={**store.OTHER_COLUMNS, **ballot_store.OTHER_COLUMNS},
)
