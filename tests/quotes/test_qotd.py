"""Quote of the day: posted once per UTC day at the configured time, never twice."""

from __future__ import annotations

from bot import guild_settings
from bot.prepare import prepare_database
from tests.quotes.helpers import delivered_pings

HEADER = "**Quote of the day**"


def qotd_posts(world) -> list:
    return [m for m in world.channel.history() if m.content.startswith(HEADER)]


async def configure(world, at: str = "00:05") -> None:
    """As an admin would: /settings set (which wakes the quote-of-the-day timer)."""
    for key, value in (("qotd_channel_id", str(world.channel.id)), ("qotd_time", at)):
        result = await world.admin.slash(world.channel, "settings set", key=key, value=value)
        assert f"**{key}** is now" in result.response.content


async def test_posts_once_a_day_at_the_configured_time_even_across_a_restart(world):
    assert world.env.now().strftime("%Y-%m-%d %H:%M") == "2026-01-01 00:00"
    await configure(world, "00:05")
    await world.env.advance_time(3 * 60)
    assert qotd_posts(world) == []  # not yet 00:05
    await world.env.advance_time(3 * 60)
    (post,) = qotd_posts(world)
    assert post.content == f"{HEADER} · 2026-01-01"
    (embed,) = post.embeds
    assert embed.fields[0].name == "Citation" and embed.fields[0].value  # always cited
    assert delivered_pings(world, post) == ([], [], False)

    await world.env.advance_time(60 * 60)
    await world.restart()
    await world.env.advance_time(10 * 60)
    assert len(qotd_posts(world)) == 1  # restarts never post twice

    await world.env.advance_time(24 * 60 * 60)
    posts = qotd_posts(world)
    assert [p.content for p in posts] == [f"{HEADER} · 2026-01-01", f"{HEADER} · 2026-01-02"]
    ids = [p.embeds[0].footer.text.split(" ")[0] for p in posts]
    assert ids[0] != ids[1]  # no repeat while other quotes are left
    async with world.bot.db.execute("SELECT day, quote_id FROM qotd_posts ORDER BY day") as cur:
        assert [tuple(r) for r in await cur.fetchall()] == list(
            zip(["2026-01-01", "2026-01-02"], ids, strict=True)
        )


async def test_a_failed_post_is_retried_the_next_minute(world):
    await configure(world, "00:01")
    world.env.inject_error("POST", f"/channels/{world.channel.id}/messages", status=403, code=50013)
    await world.env.advance_time(90)
    assert qotd_posts(world) == []
    await world.env.advance_time(60)
    assert len(qotd_posts(world)) == 1


async def test_no_channel_no_post_and_a_setting_written_elsewhere_is_seen_within_the_hour(world):
    # Written by another process (its own connection): this one hears of no change until its
    # cache watcher looks (off in a single process), so the hourly wake-up picks it up.
    elsewhere = await prepare_database(world.settings)
    try:
        async with elsewhere.transaction() as tx:
            await guild_settings.set_value(tx, world.guild.id, "qotd_time", "00:01")
        await world.env.advance_time(10 * 60)
        assert qotd_posts(world) == []
        async with elsewhere.transaction() as tx:
            await guild_settings.set_value(
                tx, world.guild.id, "qotd_channel_id", str(world.channel.id)
            )
    finally:
        await elsewhere.close()
    await world.env.advance_time(60 * 60)
    assert len(qotd_posts(world)) == 1


async def test_a_missing_channel_neither_posts_nor_spins(world):
    async with world.db.transaction() as tx:
        await guild_settings.set_value(tx, world.guild.id, "qotd_channel_id", "123")
    async with world.db.transaction() as tx:
        await guild_settings.set_value(tx, world.guild.id, "qotd_time", "00:01")
    await world.env.advance_time(3 * 60 * 60)  # would time out if the timer spun
    assert qotd_posts(world) == []
    async with world.db.execute("SELECT count(*) FROM qotd_posts") as cur:
        assert (await cur.fetchone())[0] == 0
