"""Group commit (bot/group_commit.py) on a real database: a bad item fails alone, a failed
commit fails everyone, and what an item hears is what the database holds."""

from __future__ import annotations

import asyncio
import contextlib

from bot.db import DatabaseError, IntegrityError
from bot.group_commit import GroupCommit


async def _table(db) -> None:
    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE items (n INTEGER PRIMARY KEY CHECK (n >= 0))")


async def _write(tx, group: list[int]) -> list[int | Exception]:
    await tx.executemany("INSERT INTO items (n) VALUES (?)", [(n,) for n in group])
    return list(group)


async def _kept(db) -> list[int]:
    return [r[0] for r in await db.fetchall("SELECT n FROM items ORDER BY n")]


class FailingCommits:
    """The real database whose transactions fail at COMMIT from the ``after``-th on."""

    def __init__(self, db, after: int) -> None:
        self.db, self.after, self.opened = db, after, 0

    def __getattr__(self, name):
        return getattr(self.db, name)

    @contextlib.asynccontextmanager
    async def transaction(self):
        self.opened += 1
        async with self.db.transaction() as tx:
            yield tx
            if self.opened >= self.after:
                raise DatabaseError("disk I/O error")  # rolled back instead of committed


async def test_a_refused_item_fails_alone_and_the_rest_of_its_group_is_kept(db):
    await _table(db)
    group = GroupCommit(db, _write)
    outcomes = await asyncio.gather(
        *(group.submit(n) for n in (1, 2, -3, 4, 5)), return_exceptions=True
    )
    assert group.groups == [1, 4] and group.retried == 1 and group.commits == 2
    assert outcomes[:2] == [1, 2] and outcomes[3:] == [4, 5]
    assert isinstance(outcomes[2], IntegrityError)
    assert await _kept(db) == [1, 2, 4, 5]


async def test_when_the_retry_cannot_commit_every_item_hears_the_error(db):
    await _table(db)
    group = GroupCommit(FailingCommits(db, after=2), _write)
    outcomes = await asyncio.gather(
        *(group.submit(n) for n in (1, 2, -3, 4)), return_exceptions=True
    )
    assert outcomes[0] == 1  # the first transaction committed
    assert all(isinstance(o, DatabaseError) and str(o) == "disk I/O error" for o in outcomes[1:])
    assert await _kept(db) == [1]  # nobody was told "kept" of what was rolled back
