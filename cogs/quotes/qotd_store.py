"""Quote of the day's SQL: the guilds taking part, the ``qotd_posts`` day rows, the pick.

Readers take a :class:`~bot.db.Reader`; writers take the :class:`~bot.db.Transaction` they
run in and never commit. When a guild is due is :mod:`cogs.quotes.qotd`'s rule.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.db import Reader, Transaction
from cogs.quotes import qotd, quote_store
from cogs.quotes.qotd import Due, Setup
from cogs.quotes.quote import StoredQuote


async def due(db: Reader, now: datetime, default_time: str) -> list[Due]:
    """Guilds whose quote of the day should be posted now and has not been yet."""
    rows = await db.fetchall(
        "SELECT c.guild_id, c.value AS channel, coalesce(t.value, ?) AS at "
        "FROM guild_settings c LEFT JOIN guild_settings t "
        "ON t.guild_id = c.guild_id AND t.key = 'qotd_time' "
        "WHERE c.key = 'qotd_channel_id' AND NOT EXISTS "
        "(SELECT 1 FROM qotd_posts p WHERE p.guild_id = c.guild_id AND p.day = ?)",
        (default_time, qotd.day_of(now)),
    )
    waiting = [Setup(int(r["guild_id"]), str(r["channel"]), r["at"]) for r in rows]
    return qotd.due_now(waiting, now)


async def next_due(
    db: Reader,
    now: datetime,
    default_time: str,
    skip: Collection[int] = (),
) -> datetime | None:
    """When the next quote of the day is due in any guild but ``skip`` (None: none is)."""
    rows = await db.fetchall(
        "SELECT c.guild_id, c.value AS channel, coalesce(t.value, ?) AS at, "
        "EXISTS (SELECT 1 FROM qotd_posts p WHERE p.guild_id = c.guild_id AND p.day = ?) "
        "AS done FROM guild_settings c LEFT JOIN guild_settings t "
        "ON t.guild_id = c.guild_id AND t.key = 'qotd_time' WHERE c.key = 'qotd_channel_id'",
        (default_time, qotd.day_of(now)),
    )
    setups = [Setup(r["guild_id"], str(r["channel"]), str(r["at"]), bool(r["done"])) for r in rows]
    return qotd.next_due(setups, now, skip)


async def claim(tx: Transaction, guild_id: int, day: str) -> bool:
    """Take the day for this guild; False if it was already taken."""
    cur = await tx.execute(
        "INSERT INTO qotd_posts (guild_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (guild_id, day),
    )
    return cur.rowcount > 0


async def record(tx: Transaction, guild_id: int, day: str, quote_id: str) -> None:
    """Note which quote was posted (after the post: no repeat for NO_REPEAT_DAYS)."""
    await tx.execute(
        "UPDATE qotd_posts SET quote_id = ? WHERE guild_id = ? AND day = ?",
        (quote_id, guild_id, day),
    )


async def release(tx: Transaction, guild_id: int, day: str) -> None:
    """Give the day back after a failed post, so the next tick tries again."""
    await tx.execute("DELETE FROM qotd_posts WHERE guild_id = ? AND day = ?", (guild_id, day))


async def pick(db: Reader, guild_id: int, now: datetime) -> StoredQuote | None:
    """A visible quote not posted in this guild recently (any quote if all were)."""
    quote_id = await db.fetchval(
        f"SELECT q.id FROM quotes AS q WHERE {quote_store.VISIBLE} AND q.id NOT IN "
        "(SELECT quote_id FROM qotd_posts WHERE guild_id = :guild AND day >= :since "
        "AND quote_id IS NOT NULL) ORDER BY random() LIMIT 1",
        {"guild": guild_id, "since": qotd.no_repeat_since(now)},
    )
    if quote_id is not None:
        return await quote_store.get(db, quote_id, guild_id)
    return await quote_store.random_quote(db, guild_id)
