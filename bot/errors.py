"""Errors a user can act on, and the CommandTree that turns every error into a reply.

A :class:`UserError` is the user's mistake: they get its message, ephemeral. Anything else
is logged with a short id that the user sees and can quote to a moderator.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Awaitable, Iterator

import discord
from discord import app_commands

from bot.config import StartError  # noqa: F401  (re-exported: the bot raises it from here)
from bot.presentation import MESSAGE_LIMIT, truncate

log = logging.getLogger(__name__)


class UserError(app_commands.AppCommandError):
    """A mistake the user can fix; ``str(error)`` says what to do."""


@contextlib.contextmanager
def refusals(*kinds: type[Exception]) -> Iterator[None]:
    """A feature's domain refusals (``kinds``) become the private answer a member reads."""
    try:
        yield
    except kinds as exc:
        raise UserError(str(exc)) from exc


class NotModerator(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            "Only moderators can do that: you need the server's moderator role "
            "or the Manage Server permission."
        )


def error_id() -> str:
    return secrets.token_hex(4)


def describe(error: Exception) -> str | None:
    """The message for a user mistake, or None if the error is unexpected."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserError):
        error = error.original
    if isinstance(error, UserError | NotModerator):
        return str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.MissingPermissions | app_commands.BotMissingPermissions):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.TransformerError):
        value = truncate(repr(error.value), 100)
        return f"I couldn't understand {value}: {error.__cause__ or 'check the value'}."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You can't use this command here."
    return None


async def reply_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """Answer the interaction ephemerally whether or not it was already acknowledged.

    The content is cut to Discord's limit: a refusal that quotes a long input must still
    arrive (Discord rejects the whole message otherwise, and the member sees nothing).
    """
    content = truncate(content, MESSAGE_LIMIT)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


async def report(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """Reply to ``error`` the way every command and component does."""
    message = describe(error)
    if message is None:
        eid = error_id()
        original = getattr(error, "original", error)
        log.error("unexpected error %s in %s", eid, where, exc_info=original)
        message = (
            f"Something went wrong on my side (error id `{eid}`). "
            "Try again; if it keeps happening, tell a moderator that id."
        )
    await reply_ephemeral(interaction, message)


async def guarded(interaction: discord.Interaction, work: Awaitable[object], where: str) -> None:
    """Run a component's callback; errors get the same ephemeral reply as commands.

    discord.py sends a DynamicItem's errors to a throwaway view's ``on_error`` that only logs,
    so buttons and modals route theirs through here.
    """
    try:
        await work
    except Exception as error:  # user mistakes are answered; anything else gets an id
        await report(interaction, error, where)


class HerbotTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        name = interaction.command.qualified_name if interaction.command else "?"
        await report(interaction, error, f"/{name}")
