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


def _help(result) -> dict[str, str]:
    assert result.ephemeral
    fields: dict[str, str] = {}
    for field in result.response.embeds[0].fields:
        fields[field.name.removesuffix(" (more)")] = (
            fields.get(field.name.removesuffix(" (more)"), "") + "\n" + field.value
        )
    return fields


def _lines(fields: dict[str, str]) -> dict[str, str]:
    """``{"/poll create": its line}`` over every group."""
    found = {}
    for value in fields.values():
        for line in value.strip().splitlines():
            found[line.split("`")[1]] = line
    return found


async def test_help_is_grouped_and_shows_a_member_what_they_may_run(world):
    fields = _help(await world.alice.slash(world.channel, "help"))
    assert list(fields) == [
        "Quotes and answers",
        "Polls",
        "Debates",
        "Thread recording",
        "Help, settings and privacy",
    ]
    lines = _lines(fields)
    assert "/poll results" in lines and "/ask" in lines and "/quote random" in lines
    for hidden in ("/poll create", "/debate start", "/quote review", "/settings set"):
        assert hidden not in lines, hidden
    assert "/herbot sync" not in lines
    assert not any("only*" in line for line in lines.values())


async def test_help_marks_every_moderator_command(world):
    lines = _lines(_help(await world.mod.slash(world.channel, "help")))
    for command in (
        "/poll create",
        "/poll close",
        "/poll export",
        "/debate start",
        "/debate schedule",
        "/quote review",
        "/record start",
    ):
        assert lines[command].endswith("*moderators only*"), lines.get(command)
    assert not lines["/poll results"].endswith("*")
    assert "/settings set" not in lines  # the moderator role is not Manage Server
    admin = _lines(_help(await world.admin.slash(world.channel, "help")))
    assert admin["/settings set"].endswith("*admins (Manage Server) only*")


async def test_help_in_a_dm_shows_what_works_there(world):
    result = await world.alice.user.slash("help")
    lines = _lines(_help(result))
    assert set(lines) == {
        "/ask",
        "/help",
        "/quote card",
        "/quote cite",
        "/quote random",
        "/quote search",
        "/quote show",
    }
    assert "curated store" in result.response.embeds[0].description


async def test_sync_refused_to_non_owner(world):
    result = await world.alice.slash(world.channel, "herbot sync")
    assert result.ephemeral
    assert "owner" in result.response.content
    assert len(world.user_errors()) == 1
