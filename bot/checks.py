"""Who may do what: moderators are a configured role or the Manage Server permission."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import guild_settings
from bot.errors import NotModerator

if TYPE_CHECKING:
    from bot.app import Herbot


async def is_moderator(interaction: discord.Interaction) -> bool:
    user = interaction.user
    if not isinstance(user, discord.Member) or interaction.guild is None:
        return False
    if user.guild_permissions.manage_guild:
        return True
    bot: Herbot = interaction.client  # type: ignore[assignment]
    role_id = await guild_settings.get(bot.db, interaction.guild.id, "moderator_role_id")
    return role_id is not None and any(r.id == role_id for r in user.roles)


async def ensure_moderator(interaction: discord.Interaction) -> None:
    """Raise NotModerator unless the user moderates; for buttons and modals."""
    if not await is_moderator(interaction):
        raise NotModerator()


def moderator_only():
    """app_commands check: the command is refused (ephemerally) to non-moderators."""

    async def predicate(interaction: discord.Interaction) -> bool:
        await ensure_moderator(interaction)
        return True

    return app_commands.check(predicate)


async def is_owner(interaction: discord.Interaction) -> bool:
    bot: Herbot = interaction.client  # type: ignore[assignment]
    if interaction.user.id in bot.settings.owner_ids:
        return True
    return await bot.is_owner(interaction.user)
