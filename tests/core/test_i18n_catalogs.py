"""The catalogs (bot/locales) and what the sync sends: complete, current, within Discord's rules.

The catalog test builds the template from the code and the command tree the way
``make i18n`` does (tools/i18n.py) and compares: every message used exists in every locale,
none is unused or fuzzy, placeholders match. The sync test reads the payload simcord
received from ``tree.sync()`` (what ``herbot sync`` sends).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot import i18n
from bot.translator import acceptable
from tools import i18n as tool

SHIPPED = ("fr", "es-ES", "es-419", "pt-BR", "de", "ja")
CATALOGS = ("fr", "es_ES", "pt_BR", "de", "ja")


def _catalog(name: str):
    with (i18n.LOCALE_DIR / name / "LC_MESSAGES" / "herbot.po").open("rb") as handle:
        return read_po(handle, locale=name)


@pytest.fixture(scope="module")
def fresh():
    import asyncio

    return asyncio.run(tool.build())


def test_every_locale_ships_a_catalog():
    assert set(i18n.CATALOGS) == set(CATALOGS)
    assert set(i18n.DISCORD_LOCALES) == set(SHIPPED)
    for name in CATALOGS:
        assert (i18n.LOCALE_DIR / name / "LC_MESSAGES" / "herbot.po").is_file(), name


def test_catalogs_are_current_complete_and_not_fuzzy(fresh):
    """Every message the code and the command tree use is in the template and translated in
    every locale; no locale keeps an entry nothing uses; none is fuzzy."""
    assert tool.problems(fresh) == []


@pytest.mark.parametrize("name", CATALOGS)
def test_placeholders_match_the_english(name):
    for message in _catalog(name):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        want = i18n.placeholders(sources[0])
        for text in strings:
            assert i18n.placeholders(text) == want, (name, message.id, text)


@pytest.mark.parametrize("name", CATALOGS)
def test_command_strings_obey_discords_rules(name):
    for message in _catalog(name):
        if message.context not in (
            "command name",
            "option name",
            "command description",
            "option description",
            "choice name",
        ):
            continue
        menu = message.context == "command name" and " " in message.id
        assert acceptable(message.context, message.string, menu=menu), (name, message.string)


def _walk(nodes: list[dict[str, Any]], path: str = "", top: bool = True):
    """Every (path, node, siblings, kind) of a synced payload: commands, context menus,
    subcommands and options, choices."""
    for node in nodes:
        where = f"{path} {node['name']}".strip()
        menu = top and node.get("type", 1) in (2, 3)
        yield where, node, nodes, "menu" if menu else "command"
        yield from _walk(node.get("options") or [], where, top=False)
        for choice in node.get("choices") or []:
            yield f"{where}={choice['name']}", choice, node["choices"], "choice"


async def test_sync_sends_every_localization_in_the_six_locales(world):
    synced = list(world.env.backend.commands[None].values())
    assert synced, "nothing was synced"
    checked = 0
    for where, node, _siblings, kind in _walk(synced):
        names = node.get("name_localizations") or {}
        assert set(names) == set(SHIPPED), (where, sorted(names))
        if kind == "command":
            descriptions = node.get("description_localizations") or {}
            assert set(descriptions) == set(SHIPPED), (where, sorted(descriptions))
        for locale in SHIPPED:
            name = names[locale]
            if kind == "command":
                assert acceptable("option name", name), (where, locale, name)
                description = node["description_localizations"][locale]
                assert 1 <= len(description) <= 100, (where, locale, description)
            elif kind == "menu":
                assert 1 <= len(name) <= 32, (where, locale, name)
            else:
                assert 1 <= len(name) <= 100, (where, locale, name)
        checked += 1
    assert checked > 100  # 148 nodes when written: every command, option and choice
    # Unique per level, in every locale: siblings never share a localized name (context
    # menus and slash commands are apart: Discord keys commands by name and type).
    for locale in SHIPPED:
        for where, node, siblings, _kind in _walk(synced):
            same = [s for s in siblings if s.get("type", 1) == node.get("type", 1)]
            names = Counter((s.get("name_localizations") or {}).get(locale) for s in same)
            twice = [n for n, k in names.items() if k > 1]
            assert not twice, (locale, where, twice)


def test_fallbacks_member_then_server_then_english():
    text = "Nothing was deleted."
    assert i18n.translate(text, ("fr", "de")) == "Rien n'a été supprimé."
    assert i18n.translate(text, ("ko", "de")) == "Es wurde nichts gelöscht."  # no Korean
    assert i18n.translate(text, ("en-US", "de")) == text  # an English member reads English
    assert i18n.translate(text, ("ko", None)) == text
    assert i18n.translate(text, "es-419") == i18n.translate(text, "es-ES") != text


def test_plurals_numbers_and_lists_through_babel():
    one, many = "Synced {n} command to this server.", "Synced {n} commands to this server."
    assert i18n.ntranslate(one, many, 1, "fr") == "1 commande synchronisée sur ce serveur."
    assert (
        i18n.ntranslate(one, many, 1200, "de") == "1.200 Befehle auf diesem Server synchronisiert."
    )
    assert i18n.ntranslate(one, many, 0, "fr").startswith("0 commande ")  # French: 0 is singular
    assert i18n.ntranslate(one, many, 2, None) == "Synced 2 commands to this server."
    assert i18n.format_number(1234.5, "fr") == "1\u202f234,5"
    listed = i18n.Listed(["a", "b", "c"])
    assert listed.render("de") == "a, b und c"
    assert listed.render("ja") == "a、b、c"


async def test_the_translator_sends_nothing_discord_would_refuse(monkeypatch):
    import discord
    from discord import app_commands

    from bot.translator import HerbotTranslator

    where = app_commands.TranslationContextLocation
    context = app_commands.TranslationContext(where.command_name, None)
    translator = HerbotTranslator()
    poll = app_commands.locale_str("poll")
    assert await translator.translate(poll, discord.Locale.french, context) == "sondage"
    assert await translator.translate(poll, discord.Locale.korean, context) is None
    assert await translator.translate(poll, discord.Locale.latin_american_spanish, context) == (
        "encuesta"
    )
    # A translation against Discord's rules is not sent: Discord then shows the English.
    monkeypatch.setattr("bot.i18n.lookup", lambda *args, **kwargs: "Ma Commande")
    assert await translator.translate(poll, discord.Locale.french, context) is None
    assert not acceptable("command name", "Ma Commande")
    assert not acceptable("option name", "x" * 33)
    assert not acceptable("command description", "x" * 101)
    assert acceptable("command name", "Enregistrer comme citation", menu=True)
    assert acceptable("command name", "選択肢追加")
