"""Every feature loads together, and the README documents every command it registers."""

from __future__ import annotations

from pathlib import Path

import discord
from discord import app_commands

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


async def test_every_feature_loads_and_registers_commands(world):
    assert [f.name for f in world.bot.features] == ["admin", "quotes", "polls", "debate", "threads"]
    assert {c.qualified_name.split(".")[0] for c in world.bot.cogs.values()} >= {
        "Admin",
        "Privacy",
        "Quotes",
        "Ask",
        "Polls",
        "Debates",
        "ThreadRecording",
        "Transcripts",
    }
    names = {c.qualified_name for c in world.bot.tree.walk_commands()}
    assert {"ask", "quote random", "poll create", "debate start", "record start"} <= names


async def test_readme_lists_every_command(world):
    missing = []
    for command in world.bot.tree.walk_commands():
        if isinstance(command, app_commands.Command):
            name = command.qualified_name
            group, _, leaf = name.rpartition(" ")
            # "/settings show" or, in a combined row, "/settings show` / `set`"
            combined = group and f"`/{group} " in README and f"`{leaf}`" in README
            if f"`/{name}" not in README and not combined:
                missing.append(name)
    for menu in world.bot.tree.get_commands(type=discord.AppCommandType.message):
        if menu.name not in README:
            missing.append(menu.name)
    assert missing == []


def test_readme_has_the_two_quickstart_commands():
    assert "make demo" in README and "make test" in README
