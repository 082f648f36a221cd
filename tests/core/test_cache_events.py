"""Caches hear of a change one way: herbot_cache_changed, after the commit (bot/cache_sync.py)."""

from __future__ import annotations

import pytest

from bot import cache_sync, guild_settings


async def test_a_committed_change_is_announced_once_with_what_changed(db):
    heard: list[tuple[str, int | None, str | None]] = []
    stop = cache_sync.listen(db, lambda *change: heard.append(change))
    async with db.transaction() as tx:
        await guild_settings.set_value(tx, 42, "qotd_time", "10:00")
        assert heard == []  # not before the commit
    assert heard == [(cache_sync.GUILD_SETTINGS, 42, "qotd_time")]
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await guild_settings.set_value(tx, 42, "qotd_time", "11:00")
            raise RuntimeError("rolled back")
    assert len(heard) == 1  # a rollback changed nothing: nothing to hear
    stop()
    stop()  # a bot closed twice
    async with db.transaction() as tx:
        await guild_settings.clear(tx, 42, "qotd_time")
    assert len(heard) == 1


async def test_the_bot_dispatches_its_own_changes_as_the_event(settings, db):
    from bot.app import create_bot

    bot = create_bot(settings, db)
    heard: list[tuple[object, ...]] = []
    bot.dispatch = lambda event, *args: heard.append((event, *args))
    async with db.transaction() as tx:
        await guild_settings.set_value(tx, 7, "qotd_channel_id", "123")
    assert heard == [(cache_sync.EVENT, cache_sync.GUILD_SETTINGS, 7, "qotd_channel_id")]
