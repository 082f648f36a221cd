"""Behaviour of the core through the real bot: settings, help, errors, mentions."""

from __future__ import annotations

from bot import guild_settings


async def test_admin_sets_and_shows_a_setting(world):
    result = await world.admin.slash(world.channel, "settings set", key="qotd_time", value="07:30")
    assert result.ephemeral
    assert "07:30" in result.response.content
    assert await guild_settings.get(world.db, world.guild.id, "qotd_time") == "07:30"

    shown = await world.admin.slash(world.channel, "settings show")
    assert "07:30" in shown.response.content


async def test_bad_setting_value_is_refused_with_what_to_do(world):
    result = await world.admin.slash(world.channel, "settings set", key="qotd_time", value="9am")
    assert result.ephemeral
    assert "HH:MM" in result.response.content
    assert await guild_settings.get(world.db, world.guild.id, "qotd_time") is None
    assert len(world.user_errors()) == 1


async def test_settings_key_autocomplete_is_bounded(world):
    choices = await world.admin.autocomplete(world.channel, "settings set", "key", "qotd")
    names = [c["value"] for c in choices]
    assert names == ["qotd_channel_id", "qotd_time"]


async def test_help_lists_commands(world):
    result = await world.alice.slash(world.channel, "help")
    assert result.ephemeral
    assert "/settings set" in result.response.embeds[0].description


async def test_sync_refused_to_non_owner(world):
    result = await world.alice.slash(world.channel, "herbot sync")
    assert result.ephemeral
    assert "owner" in result.response.content
    assert len(world.user_errors()) == 1
