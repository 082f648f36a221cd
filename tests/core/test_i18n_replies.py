"""Replies in the member's language: members whose Discord is French or Japanese run /help
and /privacy, and refusals reach them in their language; public text follows the server.

simcord sends every interaction as ``en-US`` (its payload builder fixes the locale), so
:func:`speaking` wraps that builder to give chosen members their own client locale and
every interaction its server's ``preferred_locale`` as ``guild_locale``, as Discord does.
"""

from __future__ import annotations

from typing import Any

import pytest
import simcord.interactions

from bot.translator import for_server, server_locales


@pytest.fixture
def speaking(monkeypatch: pytest.MonkeyPatch):
    """``speaking(member, "fr")``: that member's interactions carry Discord locale ``fr``."""
    locales: dict[int, str] = {}
    original = simcord.interactions.base_payload

    def payload(backend: Any, **kwargs: Any):
        record, data = original(backend, **kwargs)
        data["locale"] = locales.get(kwargs["user_id"], "en-US")
        if kwargs.get("guild_id") is not None:
            data["guild_locale"] = backend.get_guild(kwargs["guild_id"]).preferred_locale
        return record, data

    monkeypatch.setattr(simcord.interactions, "base_payload", payload)

    def speak(member: Any, locale: str) -> None:
        locales[member.id] = locale

    return speak


def _fields(result) -> dict[str, str]:
    assert result.ephemeral
    return {field.name: field.value for field in result.response.embeds[0].fields}


async def test_help_in_french_names_the_commands_as_the_french_client_shows_them(world, speaking):
    speaking(world.alice, "fr")
    result = await world.alice.slash(world.channel, "help")
    embed = result.response.embeds[0]
    assert embed.title == "herbot : ce que vous pouvez utiliser ici"
    fields = _fields(result)
    assert list(fields)[:2] == ["Citations et réponses", "Sondages"]
    assert "Aide, réglages et confidentialité" in fields
    text = "\n".join(fields.values())
    assert "`/sondage résultats` — Afficher les décomptes et le graphique d'un sondage" in text
    assert "`/demander` — Poser une question" in text
    assert "Enregistrer comme citation" in embed.footer.text
    # A member in English, in the same server, still reads English.
    english = await world.bob.slash(world.channel, "help")
    assert english.response.embeds[0].title == "herbot: what you can use here"


async def test_help_for_a_japanese_moderator_marks_moderator_commands_in_japanese(world, speaking):
    speaking(world.mod, "ja")
    fields = _fields(await world.mod.slash(world.channel, "help"))
    text = "\n".join(fields.values())
    assert "`/投票 作成`" in text
    assert "*モデレーターのみ*" in text
    # "Moderators: " leaves a moderator command's description in any language: /help marks it.
    assert "`/引用 審査` — 保留中の投稿を審査 · *モデレーターのみ*" in text
    assert "時刻" in fields  # how to write a start in one's own zone
    assert "<t:1796151600:f>" in fields["時刻"]


async def test_privacy_status_and_opt_out_in_french_and_japanese(world, speaking):
    speaking(world.alice, "fr")
    speaking(world.bob, "ja")
    status = await world.alice.slash(world.channel, "privacy status")
    assert status.ephemeral
    assert "✅ activé — l'enregistrement de vos messages" in status.response.content
    assert "**Ce que herbot garde de vous maintenant :** rien" in status.response.content

    stopped = await world.alice.slash(world.channel, "privacy opt-out", scope="both")
    content = stopped.response.content
    assert content.startswith(
        "Arrêté : l'enregistrement de vos messages et la reprise de vos messages comme citations."
    )
    again = await world.alice.slash(world.channel, "privacy status")
    assert "🚫 désactivé — l'enregistrement de vos messages" in again.response.content

    japanese = await world.bob.slash(world.channel, "privacy status")
    assert "✅ オン — あなたのメッセージの記録" in japanese.response.content
    assert "**現在保存されているあなたのデータ:** なし" in japanese.response.content


async def test_a_refusal_reaches_the_member_in_their_language(world, speaking):
    speaking(world.alice, "de")
    result = await world.alice.slash(world.channel, "herbot sync")
    assert result.ephemeral
    assert result.response.content == (
        "Nur der Besitzer des Bots darf die Befehle synchronisieren."
    )
    speaking(world.admin, "es-419")  # Latin American Spanish reads Spain's catalog
    result = await world.admin.slash(world.channel, "settings set", key="nope", value="1")
    assert result.ephemeral
    assert result.response.content == "No existe el ajuste `nope`; elige uno de la lista."
    assert len(world.user_errors()) == 2


def _server(world, name: str, locale: str):
    """Another server, whose community language (preferred_locale) is ``locale``."""
    guild = world.env.create_guild(name, preferred_locale=locale)
    channel = guild.create_text_channel("general")
    member = guild.add_member(world.env.create_user(f"member-{locale}"))
    return guild, channel, member


async def test_a_member_whose_language_herbot_lacks_reads_the_servers(world, speaking):
    _guild, channel, member = _server(world, "Fãs de Her", "pt-BR")
    speaking(member, "ko")  # no Korean catalog: the server's language, then English
    result = await member.slash(channel, "help")
    assert result.response.embeds[0].title == "herbot: o que você pode usar aqui"


async def test_public_text_follows_the_server_not_the_member(world, speaking):
    """What herbot posts for everyone is in the server's language, whoever asked."""
    guild, channel, member = _server(world, "Fans de Her", "fr")
    speaking(member, "ja")
    cached = world.bot.get_guild(guild.id)
    assert cached is not None and server_locales(cached) == ("fr",)
    assert for_server(cached, "Nothing was deleted.") == "Rien n'a été supprimé."
    # ...and the member's own replies stay Japanese.
    result = await member.slash(channel, "help")
    assert result.response.embeds[0].title == "herbot: ここで使えるもの"
