"""Who may do what: moderators are a configured role or the Manage Server permission."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

import discord
from discord import app_commands

from bot import guild_settings
from bot.errors import NotModerator
from bot.i18n import Text, _

if TYPE_CHECKING:
    from bot.app import Herbot


async def is_moderator(interaction: discord.Interaction) -> bool:
    user = interaction.user
    if not isinstance(user, discord.Member) or interaction.guild is None:
        return False
    if user.guild_permissions.manage_guild:
        return True
    bot = cast("Herbot", interaction.client)  # the client is always herbot's bot
    role_id = await guild_settings.get(bot.db, interaction.guild.id, "moderator_role_id")
    return role_id is not None and any(r.id == role_id for r in user.roles)


async def ensure_moderator(interaction: discord.Interaction) -> None:
    """Raise NotModerator unless the user moderates; for buttons and modals."""
    if not await is_moderator(interaction):
        raise NotModerator()


# /help reads who a command is for from the marks its checks carry.
AUDIENCE = "__herbot_audience__"
Audience = Literal["everyone", "moderators", "admins", "owner"]


def moderator_only():
    """app_commands check: the command is refused (ephemerally) to non-moderators."""

    async def predicate(interaction: discord.Interaction) -> bool:
        await ensure_moderator(interaction)
        return True

    setattr(predicate, AUDIENCE, "moderators")
    return app_commands.check(predicate)


def owner_only(refusal: str | Text | None = None):
    """app_commands check: only the bot's owner (``owner_ids`` or the application owner)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if not await is_owner(interaction):
            raise NotOwner(refusal or _("Only the bot's owner can do that."))
        return True

    setattr(predicate, AUDIENCE, "owner")
    return app_commands.check(predicate)


class NotOwner(app_commands.CheckFailure):
    pass


def audience(command: app_commands.Command) -> Audience:
    """Who may run ``command``: its checks' marks, else its (group's) default permissions."""
    for check in command.checks:
        mark = getattr(check, AUDIENCE, None)
        if mark in ("moderators", "owner"):
            return mark
    node: app_commands.Command | app_commands.Group | None = command
    while node is not None:
        perms = node.default_permissions
        if perms is not None and perms.manage_guild:
            return "admins"
        node = node.parent
    return "everyone"


def needs_server(command: app_commands.Command) -> bool:
    """Whether ``command`` needs a server with herbot in it (see :func:`served_guild_id`)."""
    if any(getattr(check, AUDIENCE, None) == "server" for check in command.checks):
        return True
    root = command.root_parent or command
    installs = root.allowed_installs
    return installs is None or not installs.user


async def is_owner(interaction: discord.Interaction) -> bool:
    bot = cast("Herbot", interaction.client)  # the client is always herbot's bot
    if interaction.user.id in bot.settings.owner_ids:
        return True
    return await bot.is_owner(interaction.user)


# -- where herbot is installed ----------------------------------------------------------------
# A member can install herbot for themselves (a user install) and use its user-installable
# commands in DMs, group DMs and servers herbot is not a member of. There herbot sees no
# server data and receives no gateway events: it answers from what every server shares.

EVERYWHERE_INSTALLS = app_commands.AppInstallationType(guild=True, user=True)
EVERYWHERE_CONTEXTS = app_commands.AppCommandContext(
    guild=True, dm_channel=True, private_channel=True
)


def served_guild_id(interaction: discord.Interaction) -> int | None:
    """The server whose own data this interaction may see: the one it was used in, if herbot
    is a member there (it installed the bot); ``None`` in DMs, group DMs and servers where
    only the member installed herbot, so nothing of another server's members shows there."""
    guild_id = interaction.guild_id
    if guild_id is None or interaction.client.get_guild(guild_id) is None:
        return None
    return guild_id


class NotInServer(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            _(
                "That works only in a server where herbot is a member: it keeps that server's "
                "own quotes, moderators and settings. Here `/ask` and `/quote random`, `show`, "
                "`search` and `cite` answer from the curated store."
            )
        )


def server_only():
    """app_commands check for a subcommand of a user-installable group that needs a server
    with herbot in it (Discord sets install contexts per top-level command only)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if served_guild_id(interaction) is None:
            raise NotInServer()
        return True

    setattr(predicate, AUDIENCE, "server")
    return app_commands.check(predicate)
