"""Quote of the day: which guilds are due, and claiming a day so nothing posts twice.

A guild takes part once ``qotd_channel_id`` is set (``/settings set``). It is due when the
UTC time has reached its ``qotd_time`` (guild setting, else settings.toml) and no row for
today exists in ``qotd_posts``. The row is written *before* posting (the primary key is the
lock), and released again only if posting failed, so a restart never double-posts.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import Reader, Transaction
from cogs.quotes import store
from cogs.quotes.store import StoredQuote

# Don't repeat a quote posted in the last this many days while others are left.
NO_REPEAT_DAYS = 60


@dataclass(frozen=True, slots=True)
class Due:
    guild_id: int
    channel_id: int
    day: str


def day_of(now: datetime) -> str:
    return now.strftime("%Y-%m-%d")


async def due(db: Reader, now: datetime, default_time: str) -> list[Due]:
    """Guilds whose quote of the day should be posted now and has not been yet."""
    today = day_of(now)
    async with db.execute(
        "SELECT c.guild_id, c.value AS channel, coalesce(t.value, ?) AS at "
        "FROM guild_settings c LEFT JOIN guild_settings t "
        "ON t.guild_id = c.guild_id AND t.key = 'qotd_time' "
        "WHERE c.key = 'qotd_channel_id' AND NOT EXISTS "
        "(SELECT 1 FROM qotd_posts p WHERE p.guild_id = c.guild_id AND p.day = ?)",
        (default_time, today),
    ) as cur:
        rows = await cur.fetchall()
    clock = now.strftime("%H:%M")
    return [
        Due(int(r["guild_id"]), int(r["channel"]), today)
        for r in rows
        if str(r["channel"]).isdigit() and clock >= r["at"]
    ]


async def next_due(
    db: Reader,
    now: datetime,
    default_time: str,
    skip: Collection[int] = (),
) -> datetime | None:
    """When the next quote of the day is due in any guild but ``skip`` (None: none is)."""
    today = day_of(now)
    async with db.execute(
        "SELECT c.guild_id, coalesce(t.value, ?) AS at, EXISTS (SELECT 1 FROM qotd_posts p "
        "WHERE p.guild_id = c.guild_id AND p.day = ?) AS done "
        "FROM guild_settings c LEFT JOIN guild_settings t "
        "ON t.guild_id = c.guild_id AND t.key = 'qotd_time' WHERE c.key = 'qotd_channel_id'",
        (default_time, today),
    ) as cur:
        rows = await cur.fetchall()
    times = []
    for row in rows:
        if row["guild_id"] in skip:
            continue
        hour, minute = (int(part) for part in str(row["at"]).split(":"))
        at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if row["done"]:
            at += timedelta(days=1)
        times.append(max(at, now))
    return min(times, default=None)


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
    since = day_of(now - timedelta(days=NO_REPEAT_DAYS))
    async with db.execute(
        f"SELECT q.id FROM quotes AS q WHERE {store.VISIBLE} AND q.id NOT IN "
        "(SELECT quote_id FROM qotd_posts WHERE guild_id = :guild AND day >= :since "
        "AND quote_id IS NOT NULL) ORDER BY random() LIMIT 1",
        {"guild": guild_id, "since": since},
    ) as cur:
        row = await cur.fetchone()
    if row is not None:
        return await store.get(db, row[0], guild_id)
    return await store.random_quote(db, guild_id)
