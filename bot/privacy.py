"""Members' privacy: opt-outs, status and forget-me, each feature's part in one transaction.

The core keeps the opt-out choices (``privacy_optouts``) and asks every configured feature
(its :class:`~bot.feature.Privacy`) what to remove; it names no feature. What a member is
told is built from what the features report they actually removed, after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot import cache_sync
from bot.db import Database, Reader, Transaction
from bot.feature import Counts, Feature, Privacy, Scope

log = logging.getLogger(__name__)

SCOPES: tuple[Scope, ...] = ("quote", "record")


async def is_opted_out(db: Reader, user_id: int, scope: Scope) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM privacy_optouts WHERE user_id = ? AND scope = ?", (user_id, scope)
    )
    return row is not None


async def opted_out_users(db: Reader, scope: Scope) -> set[int]:
    rows = await db.fetchall("SELECT user_id FROM privacy_optouts WHERE scope = ?", (scope,))
    return {int(row[0]) for row in rows}


async def record_opt_out(tx: Transaction, user_id: int, scope: Scope) -> bool:
    """Record the choice; False if it was already recorded."""
    cur = await tx.execute(
        "INSERT INTO privacy_optouts (user_id, scope) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (user_id, scope),
    )
    if cur.rowcount > 0:  # other processes reload their opt-out lists (bot/cache_sync.py)
        await cache_sync.bump(tx, cache_sync.PRIVACY_OPTOUTS)
    return cur.rowcount > 0


async def record_opt_in(tx: Transaction, user_id: int, scope: Scope) -> bool:
    cur = await tx.execute(
        "DELETE FROM privacy_optouts WHERE user_id = ? AND scope = ?", (user_id, scope)
    )
    if cur.rowcount > 0:
        await cache_sync.bump(tx, cache_sync.PRIVACY_OPTOUTS)
    return cur.rowcount > 0


async def _core_status(db: Reader, user_id: int) -> Counts:
    count = await db.fetchval("SELECT count(*) FROM privacy_optouts WHERE user_id = ?", (user_id,))
    return {"privacy choice[s] (kept, so they keep being honoured)": int(count or 0)}


async def _core_forget(tx: Transaction, user_id: int) -> Counts:
    # The opt-outs stay: forgetting a member must not start recording them again.
    return {}


CORE_PRIVACY = Privacy(
    forget=_core_forget,
    status=_core_status,
    personal_columns={"privacy_optouts": ("user_id",)},
    other_columns={
        "privacy_optouts": ("scope", "created_at"),
        "guild_settings": ("guild_id", "key", "value", "updated_at"),
        "core_claims": (
            "key",
            "guild_id",
            "owner",
            "lease_until",
            "attempts",
            "result_id",
            "done_at",
        ),
        "core_cache_versions": ("name", "version"),
    },
)


def parts(features: Iterable[Feature]) -> list[Privacy]:
    """The core's own part, then each feature's that has one."""
    return [CORE_PRIVACY, *(f.privacy for f in features if f.privacy is not None)]


def _merge(into: Counts, counts: Counts) -> None:
    for label, n in counts.items():
        into[label] = into.get(label, 0) + n


async def opt_out(
    db: Database, features: Iterable[Feature], user_id: int, scopes: Iterable[Scope]
) -> Counts:
    """Record the opt-out and apply every feature's part to what is kept, all or nothing."""
    removed: Counts = {}
    async with db.transaction() as tx:
        for scope in scopes:
            await record_opt_out(tx, user_id, scope)
            for part in parts(features):
                if part.opt_out is not None:
                    _merge(removed, await part.opt_out(tx, user_id, scope))
    return removed


async def opt_in(db: Database, user_id: int, scopes: Iterable[Scope]) -> None:
    async with db.transaction() as tx:
        for scope in scopes:
            await record_opt_in(tx, user_id, scope)


async def status(db: Database, features: Iterable[Feature], user_id: int) -> Counts:
    kept: Counts = {}
    for part in parts(features):
        _merge(kept, await part.status(db, user_id))
    return kept


async def forget(db: Database, features: Iterable[Feature], user_id: int) -> Counts:
    """Remove or anonymise the member everywhere in one transaction, then scrub the file.

    Full-text indexes are merged (``optimize``) so no token of the removed rows stays in
    their segments; ``secure_delete`` (set on every connection) zeroes freed pages, and a
    WAL checkpoint folds the change into the file and truncates the log.
    """
    removed: Counts = {}
    features = list(features)
    async with db.transaction() as tx:
        for part in parts(features):
            _merge(removed, await part.forget(tx, user_id))
        if db.dialect == "sqlite":
            for part in parts(features):
                for table in part.fts_tables:
                    await tx.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    if db.dialect == "sqlite":
        await db.checkpoint()
    log.info("forgot a member: %s", {k: v for k, v in removed.items() if v})
    return removed
