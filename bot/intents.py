"""The gateway intents herbot identifies with, and what it does without Message Content.

Message Content is privileged: Discord reviews it once an app reaches 10,000 users and every
year after. Most of herbot needs no message text (commands, buttons, forms and context menus
carry what they act on), so a host may run without it (``[bot] message_content = false`` or
``HERBOT_MESSAGE_CONTENT=0``). Each feature declares the parts that need it
(:class:`bot.feature.NeedsContent`); here the core refuses their commands with one private
answer that says what is off and how to turn it on. The features' listeners stay quiet on
their own, and ``/help`` and ``herbot doctor`` list what is off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

import discord
from discord import app_commands

from bot.feature import Feature, NeedsContent

log = logging.getLogger(__name__)

HOW_TO_ENABLE = (
    "The bot's host can turn it on: Developer Portal → Bot → Privileged Gateway Intents → "
    "Message Content Intent, then `message_content = true` under `[bot]` in settings.toml "
    "(or `HERBOT_MESSAGE_CONTENT=1`) and a restart."
)


def intents(message_content: bool = True) -> discord.Intents:
    """Discord's default intents, with the privileged Message Content one if asked for."""
    value = discord.Intents.default()
    value.message_content = message_content
    return value


def refusal(need: NeedsContent) -> str:
    """What a member reads when they use a part that is off."""
    text = (
        f"{need.what} needs Discord's Message Content intent, and herbot runs without it "
        f"here, so it is off. {need.instead} {HOW_TO_ENABLE}"
    )
    return " ".join(text.split())


class ContentIntentOff(app_commands.CheckFailure):
    """A command whose feature part needs the Message Content intent, which is off."""

    def __init__(self, need: NeedsContent) -> None:
        self.need = need
        super().__init__(refusal(need))


def needs(features: Iterable[Feature]) -> list[tuple[Feature, NeedsContent]]:
    """Every part of the configured features that needs message content, in order."""
    return [(feature, need) for feature in features for need in feature.message_content]


def gate(tree: app_commands.CommandTree, features: Iterable[Feature]) -> int:
    """While the intent is off: the declared commands answer :class:`ContentIntentOff`.

    The check goes first, so everyone reads why, whatever the command's other checks say.
    Returns how many commands it gated; a name that matches no command is a mistake in a
    feature's declaration and stops the start.
    """
    commands = {
        c.qualified_name: c for c in tree.walk_commands() if isinstance(c, app_commands.Command)
    }
    gated = 0
    for feature, need in needs(features):
        for name in need.commands:
            command = commands.get(name)
            if command is None:
                raise LookupError(f"feature {feature.name} declares /{name}: no such command")
            # A new list: a cog's copy of a command shares its checks list with the class's
            # command, and another bot in this process (a restart, a test) must not inherit it.
            command.checks = [_refuse(need), *command.checks]
            gated += 1
    return gated


def _refuse(need: NeedsContent) -> Callable[[discord.Interaction], Coroutine[Any, Any, bool]]:
    async def predicate(interaction: discord.Interaction) -> bool:
        raise ContentIntentOff(need)

    return predicate


def off_summary(features: Iterable[Feature]) -> str:
    """One line for the start-up log and herbot doctor: what is off, or nothing."""
    return "; ".join(
        need.what + (f" ({', '.join('/' + c for c in need.commands)})" if need.commands else "")
        for _, need in needs(features)
    )
