"""The discord side of :mod:`bot.i18n`: command names and descriptions localized at sync, and
the locale an interaction's reply is written in.

discord.py hands every command, group, option and choice name and description to the tree's
:class:`app_commands.Translator` as a ``locale_str`` at sync (``get_translated_payload``),
even where the decorators wrote plain strings: the English text is the message id and the
place it sits is the catalog's ``msgctxt`` (:data:`CONTEXTS`), so no feature's decorators
change. A translation Discord would refuse (a name that is not 1-32 lower-case ``\\w-``
characters, a description longer than 100) is not sent: Discord shows that one in English,
and tests/core/test_i18n_catalogs.py fails on it.

Private replies follow the member (``interaction.locale``, then the server's); what herbot
posts for everyone follows the server (``guild_locale``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot import i18n

log = logging.getLogger(__name__)

# The msgctxt of each place a command string sits (commands and groups share theirs).
CONTEXTS: dict[Where, str] = {
    Where.command_name: "command name",
    Where.group_name: "command name",
    Where.command_description: "command description",
    Where.group_description: "command description",
    Where.parameter_name: "option name",
    Where.parameter_description: "option description",
    Where.choice_name: "choice name",
}
NAME_CONTEXTS = frozenset({"command name", "option name"})
# Discord's rule for slash command and option names (CHAT_INPUT), \w in any script.
_NAME = re.compile(r"^[-_\w]{1,32}$")
DESCRIPTION_MAX = 100
MENU_NAME_MAX = 32  # context menus: any characters, 1-32


def acceptable(context: str, text: str, *, menu: bool = False) -> bool:
    """Whether Discord accepts ``text`` where ``context`` says it sits."""
    if context in NAME_CONTEXTS and not menu:
        return bool(_NAME.match(text)) and text == text.lower()
    if context == "command name":  # a context menu's name
        return 1 <= len(text) <= MENU_NAME_MAX
    return 1 <= len(text) <= DESCRIPTION_MAX


class HerbotTranslator(app_commands.Translator):
    """Command strings from the catalogs, by the Discord locale a sync asks for."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        where = CONTEXTS.get(context.location)
        if where is None or locale.value not in i18n.DISCORD_LOCALES:
            return None
        text = i18n.lookup(string.message, locale.value, context=where)
        if text is None:
            return None
        menu = isinstance(context.data, app_commands.ContextMenu)
        if not acceptable(where, text, menu=menu):
            log.warning("translation for %s refused by Discord's rules: %r", locale.value, text)
            return None
        return text


def member_locales(interaction: discord.Interaction) -> tuple[str | None, ...]:
    """Whom a private reply is for: the member's locale, then the server's."""
    guild = interaction.guild_locale.value if interaction.guild_locale else None
    return (interaction.locale.value if interaction.locale else None, guild)


def server_locales(source: discord.Interaction | discord.Guild | None) -> tuple[str | None, ...]:
    """Whom a public post is for: the server's locale (its community language)."""
    if isinstance(source, discord.Interaction):
        if source.guild_locale is not None:
            return (source.guild_locale.value,)
        source = source.guild
    if isinstance(source, discord.Guild):
        return (source.preferred_locale.value,)
    return ()


def for_member(interaction: discord.Interaction, msgid: str, **params: Any) -> str:
    """``msgid`` in the member's language (private replies)."""
    return i18n.translate(msgid, member_locales(interaction), **params)


def nfor_member(
    interaction: discord.Interaction, singular: str, plural: str, n: int, **params: Any
) -> str:
    return i18n.ntranslate(singular, plural, n, member_locales(interaction), **params)


def for_server(
    source: discord.Interaction | discord.Guild | None, msgid: str, **params: Any
) -> str:
    """``msgid`` in the server's language (what everyone in the channel reads)."""
    return i18n.translate(msgid, server_locales(source), **params)
