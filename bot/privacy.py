"""Members' privacy choices, shared by the quote store and thread recording."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

import aiosqlite

Scope = Literal["quote", "record"]


async def is_opted_out(db: aiosqlite.Connection, user_id: int, scope: Scope) -> bool:
    async with db.execute(
        "SELECT 1 FROM privacy_optouts WHERE user_id = ? AND scope = ?", (user_id, scope)
    ) as cur:
        return await cur.fetchone() is not None


async def opted_out_users(db: aiosqlite.Connection, scope: Scope) -> set[int]:
    async with db.execute("SELECT user_id FROM privacy_optouts WHERE scope = ?", (scope,)) as cur:
        return {row[0] for row in await cur.fetchall()}


async def opt_out(db: aiosqlite.Connection, user_id: int, scope: Scope) -> bool:
    """Record the choice; returns False if it was already recorded."""
    cur = await db.execute(
        "INSERT OR IGNORE INTO privacy_optouts (user_id, scope) VALUES (?, ?)", (user_id, scope)
    )
    await db.commit()
    return cur.rowcount > 0


async def opt_in(db: aiosqlite.Connection, user_id: int, scope: Scope) -> bool:
    cur = await db.execute(
        "DELETE FROM privacy_optouts WHERE user_id = ? AND scope = ?", (user_id, scope)
    )
    await db.commit()
    return cur.rowcount > 0


Remover = Callable[[aiosqlite.Connection, int], Awaitable[int]]


@dataclass
class PrivacyHooks:
    """What each feature does when a member opts out or asks to be forgotten.

    Features register plain functions ``(db, user_id) -> count``; the /privacy commands run
    them and tell the member how much was removed. Labels are what the member reads.
    """

    on_opt_out: dict[Scope, dict[str, Remover]] = field(
        default_factory=lambda: {"quote": {}, "record": {}}
    )
    forgetters: dict[str, Remover] = field(default_factory=dict)

    async def apply_opt_out(
        self, db: aiosqlite.Connection, user_id: int, scope: Scope
    ) -> dict[str, int]:
        await opt_out(db, user_id, scope)
        return {label: await fn(db, user_id) for label, fn in self.on_opt_out[scope].items()}

    async def forget(self, db: aiosqlite.Connection, user_id: int) -> dict[str, int]:
        return {label: await fn(db, user_id) for label, fn in self.forgetters.items()}
