"""Members' privacy: opt-outs, status and forget-me, each feature's part in one transaction.

The core keeps the opt-out choices (``privacy_optouts``) and asks every configured feature
(its :class:`~bot.feature.Privacy`) what to remove; it names no feature. What a member is
told is built from what the features report they actually removed, after the commit.

**Every process.** Several processes on one database each hold members' words in memory
that another process's forget-me cannot reach: the recorder's queue, a quote form left
open, a nomination being decided. So a forget is also recorded in the database, in its own
transaction (``privacy_forgotten``), and every writer of members' words asks
:func:`withholding` (or :func:`check_words`) in the transaction that writes: words written
before the member was last forgotten are never written again, and nothing of a member who
opted out of a scope is written for it. What a forgotten member writes *after* the forget is
kept as usual: a forget is about the past, an opt-out about the future, and opt-in lifts
the opt-out (it deletes the ``privacy_optouts`` row the writers read). On PostgreSQL a
forget or an opt-out takes ``privacy_forgotten`` in EXCLUSIVE mode and each writer in SHARE
mode before it reads, so a write in flight elsewhere either committed before the forget
(which then deletes it) or waits for it (and then sees it); SQLite's writers take turns.

The ledger names a member by HMAC-SHA256 of their id under a random key made once per
database (``privacy_secret``), so the table lists nobody. Whoever holds the database and a
candidate id can still test it, exactly as herbot does; the key keeps the list from being
read off the table or matched against another database's. The entries stay (like opt-outs):
dropping one would let a message from before the forget be collected again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import discord

from bot import cache_sync
from bot.clock import iso, parse
from bot.db import Database, Reader, Transaction
from bot.feature import Counts, Feature, Privacy, Scope
from bot.forget_ledger import LedgerError

log = logging.getLogger(__name__)

SCOPES: tuple[Scope, ...] = ("quote", "record")
_CHUNK = 500  # ids per IN (...) list: far below either engine's limit on parameters


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


# --- the forget ledger: what every process's writers ask ----------------------------------


class Withheld(Exception):
    """A member's words that may not be written: opted out, or forgotten since they wrote."""

    def __init__(self, member_id: int, *, opted_out: bool) -> None:
        super().__init__(
            f"member {member_id} {'opted out' if opted_out else 'asked to be forgotten'}"
        )
        self.member_id = member_id
        self.opted_out = opted_out


# What a member is told when the words they try to save belong to a forgotten member.
FORGOTTEN_REFUSAL = "{name} asked herbot to forget what they wrote, so this message can't be saved."


def member_hash(secret: bytes, member_id: int) -> str:
    """How the ledger names a member: hex HMAC-SHA256 of the id under the database's key."""
    return hmac.new(secret, str(member_id).encode(), hashlib.sha256).hexdigest()


async def _secret(db: Reader) -> bytes:
    return bytes.fromhex(await db.fetchval("SELECT secret FROM privacy_secret WHERE id = 1"))


async def hold_writers(tx: Transaction) -> None:
    """PostgreSQL: no writer of members' words runs alongside this forget or opt-out."""
    if tx.dialect == "postgresql":
        await tx.execute("LOCK TABLE privacy_forgotten IN EXCLUSIVE MODE")


async def record_forget(tx: Transaction, user_id: int, at: datetime) -> None:
    """Remember that the member was forgotten at ``at`` (the latest forget wins)."""
    await tx.execute(
        "INSERT INTO privacy_forgotten (member_hash, forgotten_at) VALUES (?, ?) "
        "ON CONFLICT (member_hash) DO UPDATE SET forgotten_at = excluded.forgotten_at "
        "WHERE excluded.forgotten_at > privacy_forgotten.forgotten_at",
        (member_hash(await _secret(tx), user_id), iso(at)),
    )


async def forgotten_at(db: Reader, user_id: int) -> datetime | None:
    """When the member was last forgotten, if ever."""
    found = await db.fetchval(
        "SELECT forgotten_at FROM privacy_forgotten WHERE member_hash = ?",
        (member_hash(await _secret(db), user_id),),
    )
    return None if found is None else parse(found)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Withholding:
    """Whose words a writer may not keep, as read in its transaction."""

    opted_out: frozenset[int]
    forgotten: Mapping[int, datetime]  # member -> when they were last forgotten

    def forgot(self, member_id: int, written_at: datetime | None) -> bool:
        """Written before the member's last forget (unknown time: assumed before)."""
        at = self.forgotten.get(member_id)
        return at is not None and (written_at is None or _aware(written_at) <= at)

    def refuses(self, member_id: int, written_at: datetime | None) -> bool:
        return member_id in self.opted_out or self.forgot(member_id, written_at)


async def withholding(tx: Transaction, scope: Scope, members: Iterable[int]) -> Withholding:
    """Opt-outs of ``scope`` and forgets among ``members``, read where the words are written.

    Call it before writing anything in ``tx`` (on PostgreSQL it waits for a forget or an
    opt-out in progress, which holds the ledger exclusively).
    """
    if tx.dialect == "postgresql":
        await tx.execute("LOCK TABLE privacy_forgotten IN SHARE MODE")
    ids = sorted(set(members))
    opted: set[int] = set()
    forgotten: dict[int, datetime] = {}
    if not ids:
        return Withholding(frozenset(), {})
    secret = await _secret(tx)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows = await tx.fetchall(
            f"SELECT user_id FROM privacy_optouts WHERE scope = ? AND user_id IN ({marks})",
            (scope, *chunk),
        )
        opted.update(int(r[0]) for r in rows)
        hashes = {member_hash(secret, m): m for m in chunk}
        rows = await tx.fetchall(
            "SELECT member_hash, forgotten_at FROM privacy_forgotten "
            f"WHERE member_hash IN ({marks})",
            tuple(hashes),
        )
        forgotten.update((hashes[r[0]], parse(r[1])) for r in rows)
    return Withholding(frozenset(opted), forgotten)


async def check_words(
    tx: Transaction, scope: Scope, member_id: int, written_at: datetime | None
) -> None:
    """Raise :class:`Withheld` unless the member's words of ``written_at`` may be written."""
    found = await withholding(tx, scope, (member_id,))
    if found.refuses(member_id, written_at):
        raise Withheld(member_id, opted_out=member_id in found.opted_out)


# --- the core's own part ---------------------------------------------------------------------


async def _core_status(db: Reader, user_id: int) -> Counts:
    # The forget ledger's entry is no word of theirs: /privacy status shows it on a line
    # of its own (when, and what it means), not among what is kept.
    count = await db.fetchval("SELECT count(*) FROM privacy_optouts WHERE user_id = ?", (user_id,))
    return {"privacy choice[s] (kept, so they keep being honoured)": int(count or 0)}


async def _core_forget(tx: Transaction, user_id: int) -> Counts:
    # The opt-outs stay: forgetting a member must not start recording them again.
    return {}


CORE_PRIVACY = Privacy(
    forget=_core_forget,
    status=_core_status,
    # The forget ledger's hash names a member to whoever has a candidate id: personal, and
    # kept on purpose, like the opt-outs (forgetting must stay forgotten).
    personal_columns={"privacy_optouts": ("user_id",), "privacy_forgotten": ("member_hash",)},
    other_columns={
        "privacy_optouts": ("scope", "created_at"),
        "privacy_forgotten": ("forgotten_at",),
        "privacy_secret": ("id", "secret"),
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
        await hold_writers(tx)  # writes of their words elsewhere finish first, or wait
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


async def forget(
    db: Database, features: Iterable[Feature], user_id: int, *, at: datetime | None = None
) -> Counts:
    """Remove or anonymise the member everywhere in one transaction, then scrub the file.

    The forget is recorded first (the ledger every process's writers read), as of ``at``
    (default: now): words the member wrote until then that wait anywhere are never written.
    SQLite: full-text indexes are merged (``optimize``) so no token of the removed rows
    stays in their segments; ``secure_delete`` (set on every connection) zeroes freed pages,
    and a WAL checkpoint folds the change into the file and truncates the log. PostgreSQL:
    once committed, every table with personal columns is vacuumed (:meth:`Database.vacuum`),
    so the deleted rows' dead tuples do not wait for autovacuum. What the server may still
    hold afterwards is :func:`remains`.
    """
    removed: Counts = {}
    features = list(features)
    at = at or discord.utils.utcnow()
    await _write_ledger(db, user_id, at)
    async with db.transaction() as tx:
        await hold_writers(tx)  # writes of their words elsewhere finish first, or wait
        await record_forget(tx, user_id, at)
        for part in parts(features):
            _merge(removed, await part.forget(tx, user_id))
        if db.dialect == "sqlite":
            for part in parts(features):
                for table in part.fts_tables:
                    await tx.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    if db.dialect == "sqlite":
        await db.checkpoint()
    else:
        try:
            await db.vacuum(touched_tables(features))
        except Exception:  # committed all the same: autovacuum will get there
            log.warning("could not vacuum after a forget-me", exc_info=True)
    log.info("forgot a member: %s", {k: v for k, v in removed.items() if v})
    return removed


async def _write_ledger(db: Database, user_id: int, at: datetime) -> None:
    """First into the ledger outside the database (bot/forget_ledger.py), so that a restore
    of a backup forgets them again; a ledger that cannot be written stops no forget-me."""
    if db.forget_ledger is None:
        return
    try:
        await asyncio.to_thread(db.forget_ledger.append, user_id, at)
    except LedgerError as exc:
        log.error("forget-me not recorded in the ledger (a restore could bring it back): %s", exc)


def touched_tables(features: Iterable[Feature]) -> list[str]:
    """The tables forget-me changes: every table with a personal column (SQLite's full-text
    tables aside: PostgreSQL keeps full-text search in columns of those tables)."""
    found = parts(features)
    fts = {t for part in found for t in part.fts_tables}
    return sorted({t for part in found for t in part.personal_columns} - fts)


def remains(db: Database) -> str:
    """What the server may still hold of forgotten words, and for how long (said plainly)."""
    if db.dialect == "sqlite":
        return (
            "Nothing of it is left in herbot's database file or its log. Backups made before "
            "now still hold what they held, until whoever runs herbot deletes them."
        )
    return (
        "The deleted rows were vacuumed at once. The database server can still hold copies "
        "in its write-ahead log files until it overwrites them (how soon depends on how "
        "much it writes: minutes on a busy server, days on a quiet one), in WAL archives or "
        "replicas if it keeps them, and in backups until whoever runs herbot deletes them."
    )
