"""Claims on due work: a timer fires once across processes, and again after a crash.

Several processes share one database (``herbot run --shard-count``). Before a process does
a piece of due work (post a poll's result, a speech's "time is up", the quote of the day) it
claims the work's key in ``core_claims`` with one conditional upsert (``INSERT ... ON
CONFLICT DO UPDATE ... WHERE ... RETURNING``, SQLite >= 3.35 and PostgreSQL alike): the
claim succeeds only when nobody holds the key, or the holder's lease ran out (it crashed or
hung). The work then records what it posted (``set_result``: a message id, so a retry edits
that message instead of posting a second one) and marks the key done (``finish``). A failed
post gives the key back at once (``release``) so a retry need not wait for the lease.

Claim in the same transaction as the state change that makes the work due (a poll's closing,
a notice marked sent): then either both happened or neither, and a process that crashed in
between leaves a claim whose lease runs out and whose key :func:`expired` lists for a
restart or a sweep to take again. The core names no feature: keys are the features' own
(``"<kind>:<id>"``).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import iso, parse
from bot.db import Reader, Transaction

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(seconds=60)
_EPOCH = "1970-01-01T00:00:00.000000Z"


def stamp(moment: datetime) -> str:
    """Fixed-width UTC text: sorts as text on both engines (the one stored format)."""
    return iso(moment)


def new_owner(label: str = "") -> str:
    """This process's name in claims: host, pid and a random part (a restart is a new owner)."""
    base = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return f"{base}:{label}" if label else base


def key_kind(key: str) -> str:
    """A claim's or timer's kind, its label in metrics (bot/metrics.py): no ids in it.

    Keys are the features' own ``"<kind>:<id>..."``: ``"poll-result:12"`` -> ``"poll-result"``,
    ``"poll:close:12"`` -> ``"poll:close"``; at most two words, stopping at the first with a
    digit (an id, a day).
    """
    words: list[str] = []
    for word in key.split(":")[:2]:
        if not word or any(c.isdigit() for c in word):
            break
        words.append(word)
    return ":".join(words) or "other"


@dataclass(frozen=True, slots=True)
class Claim:
    key: str
    result_id: int | None  # what an earlier attempt posted: edit it rather than post again
    attempts: int


async def claim(
    tx: Transaction,
    key: str,
    *,
    owner: str,
    now: datetime,
    guild_id: int | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> Claim | None:
    """Take ``key`` for ``owner`` until ``now + lease``.

    None when the work is done, or another holder's lease has not run out yet.
    """
    row = await tx.fetchone(
        "INSERT INTO core_claims (key, guild_id, owner, lease_until)"
        " VALUES (:key, :guild, :owner, :until)"
        " ON CONFLICT (key) DO UPDATE SET owner = excluded.owner,"
        " lease_until = excluded.lease_until, attempts = core_claims.attempts + 1"
        " WHERE core_claims.done_at IS NULL AND core_claims.lease_until <= :now"
        " RETURNING result_id, attempts",
        {
            "key": key,
            "guild": guild_id,
            "owner": owner,
            "until": stamp(now + lease),
            "now": stamp(now),
        },
    )
    if row is None:
        return None
    taken = Claim(key, None if row[0] is None else int(row[0]), int(row[1]))
    if tx.metrics is not None:  # retaken: after a failed attempt, or from a crashed holder
        how = "taken" if taken.attempts <= 1 else "retaken"
        tx.metrics.claims.labels(key_kind(key), how).inc()
    return taken


async def set_result(tx: Transaction, key: str, owner: str, result_id: int) -> bool:
    """Remember what the work posted (while ``owner`` still holds it)."""
    cur = await tx.execute(
        "UPDATE core_claims SET result_id = ? WHERE key = ? AND owner = ? AND done_at IS NULL",
        (result_id, key, owner),
    )
    return cur.rowcount > 0


async def finish(tx: Transaction, key: str, owner: str, now: datetime) -> bool:
    """Mark the work done; False if ``owner`` lost the claim meanwhile (its lease ran out)."""
    cur = await tx.execute(
        "UPDATE core_claims SET done_at = ? WHERE key = ? AND owner = ? AND done_at IS NULL",
        (stamp(now), key, owner),
    )
    return cur.rowcount > 0


async def release(tx: Transaction, key: str, owner: str) -> bool:
    """Give the work back now (a post failed): the next claim need not wait for the lease."""
    cur = await tx.execute(
        "UPDATE core_claims SET lease_until = ? WHERE key = ? AND owner = ? AND done_at IS NULL",
        (_EPOCH, key, owner),
    )
    return cur.rowcount > 0


async def postpone(tx: Transaction, key: str, owner: str, until: datetime) -> bool:
    """Keep the work but try again no sooner than ``until`` (a failed attempt's backoff)."""
    cur = await tx.execute(
        "UPDATE core_claims SET lease_until = ? WHERE key = ? AND owner = ? AND done_at IS NULL",
        (stamp(until), key, owner),
    )
    return cur.rowcount > 0


async def next_expiry(db: Reader, now: datetime) -> datetime | None:
    """When the next unfinished claim's lease runs out (the sweep's next wake), if any."""
    value = await db.fetchval(
        "SELECT min(lease_until) FROM core_claims WHERE done_at IS NULL AND lease_until > ?",
        (stamp(now),),
    )
    return None if value is None else parse(str(value))


async def is_done(db: Reader, key: str) -> bool:
    return bool(
        await db.fetchval(
            "SELECT COUNT(*) FROM core_claims WHERE key = ? AND done_at IS NOT NULL", (key,)
        )
    )


@dataclass(frozen=True, slots=True)
class Unfinished:
    key: str
    guild_id: int | None
    result_id: int | None


async def expired(db: Reader, prefix: str, now: datetime) -> list[Unfinished]:
    """Work under ``prefix`` whose holder's lease ran out before it finished (a crash)."""
    rows = await db.fetchall(
        "SELECT key, guild_id, result_id FROM core_claims"
        " WHERE done_at IS NULL AND lease_until <= ? AND substr(key, 1, ?) = ? ORDER BY key",
        (stamp(now), len(prefix), prefix),
    )
    return [
        Unfinished(str(r[0]), None if r[1] is None else int(r[1]), r[2] and int(r[2])) for r in rows
    ]
