"""/herbot (about, sync), /settings (show, set, clear) and /help."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__, guild_settings, i18n
from bot.checks import audience, is_moderator, is_owner, needs_server, owner_only, served_guild_id
from bot.errors import UserError
from bot.i18n import _
from bot.presentation import (
    AUTOCOMPLETE_MAX,
    EMBED_FIELD_VALUE_LIMIT,
    MESSAGE_LIMIT,
    chunk_lines,
    truncate,
)
from bot.translator import for_member, member_locales, nfor_member
from cogs.admin import help as help_

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

HELP_COLOUR = discord.Colour.from_rgb(231, 76, 60)
# Schedules are moderators' commands: how to give a start in one's own time zone.
TIMES_HELP = _(
    "A schedule's `start` takes 'in 2h', '2026-12-01 19:00' (UTC) or a Discord timestamp: "
    "`<t:1796151600:f>` reads <t:1796151600:f> for each member, in their own zone. A timestamp "
    "generator writes one from your zone; herbot shows every time back the same way."
)

# Discord rate-limits command syncs hard; one per minute is plenty for an owner.
SYNC_COOLDOWN_SECONDS = 60.0


class Admin(commands.Cog):
    herbot = app_commands.Group(name="herbot", description="About herbot and its upkeep")
    settings_group = app_commands.Group(
        name="settings",
        description="This server's herbot settings",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: Herbot) -> None:
        self.bot = bot
        self._last_sync = 0.0

    @herbot.command(name="about", description="What herbot is and how it is doing")
    async def about(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(
            title="herbot",
            description=for_member(
                interaction,
                "Cited quotes, answers, debates and recorded discussions about Spike Jonze's "
                "*Her* (2013) and whether Sam Altman misreads it.",
            ),
            colour=discord.Colour.from_rgb(231, 76, 60),
        )
        locales = member_locales(interaction)
        embed.add_field(name=for_member(interaction, "Version"), value=__version__)
        embed.add_field(
            name=for_member(interaction, "Servers"),
            value=i18n.format_number(len(self.bot.guilds), locales),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @herbot.command(name="sync", description="Sync slash commands with Discord")
    @app_commands.describe(scope="'guild' syncs this server instantly; 'global' everywhere")
    @owner_only(_("Only the bot's owner can sync commands."))
    async def sync(
        self, interaction: discord.Interaction, scope: Literal["guild", "global"] = "guild"
    ) -> None:
        now = time.monotonic()
        if self._last_sync and now - self._last_sync < SYNC_COOLDOWN_SECONDS:
            wait = SYNC_COOLDOWN_SECONDS - (now - self._last_sync)
            raise UserError(
                _(
                    "Commands were synced moments ago; try again in {seconds} s.",
                    seconds=round(wait),
                )
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = interaction.guild if scope == "guild" else None
        if guild is not None:
            self.bot.tree.copy_global_to(guild=guild)
        synced = await self.bot.tree.sync(guild=guild)
        self._last_sync = now
        if guild is not None:
            text = nfor_member(
                interaction,
                "Synced {n} command to this server.",
                "Synced {n} commands to this server.",
                len(synced),
            )
        else:
            text = nfor_member(
                interaction,
                "Synced {n} command globally (may take up to an hour to appear).",
                "Synced {n} commands globally (may take up to an hour to appear).",
                len(synced),
            )
        await interaction.followup.send(text, ephemeral=True)

    @settings_group.command(name="show", description="Show this server's herbot settings")
    async def settings_show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        values = await guild_settings.get_all(self.bot.db, interaction.guild.id)
        locales = member_locales(interaction)
        lines = []
        for key in guild_settings.KEYS.values():
            found = guild_settings.effective(key, values.get(key.name), self.bot.settings)
            if found.value is None:
                unset = i18n.lookup(key.unset, locales, context=SETTING) or key.unset
                shown = for_member(interaction, "{value} (default)", value=unset)
            else:
                mention = _mention(key.name, found.value)
                shown = for_member(
                    interaction, "{value} (from {source})", value=mention, source=found.source
                )
            described = _setting(key, locales)
            lines.append(f"**{key.name}**: {shown}\n-# {described}")
        await interaction.response.send_message(
            truncate("\n".join(lines), MESSAGE_LIMIT), ephemeral=True
        )

    @settings_group.command(name="set", description="Change one herbot setting for this server")
    @app_commands.describe(key="which setting", value="the new value (an id, or HH:MM for times)")
    async def settings_set(
        self, interaction: discord.Interaction, key: str, value: app_commands.Range[str, 1, 400]
    ) -> None:
        assert interaction.guild is not None
        if key not in guild_settings.KEYS:
            raise UserError(
                _("There is no setting `{key}`; pick one from the list.", key=truncate(key, 50))
            )
        try:
            async with self.bot.db.transaction() as tx:
                parsed = await guild_settings.set_value(
                    tx, interaction.guild.id, key, value.strip()
                )
        except ValueError as exc:
            raise UserError(f"`{key}` {exc}.") from None
        await interaction.response.send_message(
            for_member(
                interaction, "**{key}** is now {value}.", key=key, value=_mention(key, parsed)
            ),
            ephemeral=True,
        )

    @settings_group.command(name="clear", description="Reset one setting to its default")
    async def settings_clear(self, interaction: discord.Interaction, key: str) -> None:
        assert interaction.guild is not None
        if key not in guild_settings.KEYS:
            raise UserError(
                _("There is no setting `{key}`; pick one from the list.", key=truncate(key, 50))
            )
        async with self.bot.db.transaction() as tx:
            removed = await guild_settings.clear(tx, interaction.guild.id, key)
        if removed:
            text = for_member(interaction, "**{key}** is back to its default.", key=key)
        else:
            text = for_member(interaction, "**{key}** was not set.", key=key)
        await interaction.response.send_message(text, ephemeral=True)

    @settings_set.autocomplete("key")
    @settings_clear.autocomplete("key")
    async def _key_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        current = current.lower()
        locales = member_locales(interaction)
        return [
            app_commands.Choice(
                name=truncate(f"{k.name} — {_setting(k, locales)}", 100), value=k.name
            )
            for k in guild_settings.KEYS.values()
            if current in k.name
        ][:AUTOCOMPLETE_MAX]

    @app_commands.command(name="help", description="The herbot commands you can use here")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def help(self, interaction: discord.Interaction) -> None:
        in_server = served_guild_id(interaction) is not None
        member = interaction.user
        asker = help_.Asker(
            in_server=in_server,
            moderator=in_server and await is_moderator(interaction),
            admin=in_server
            and isinstance(member, discord.Member)
            and member.guild_permissions.manage_guild,
            owner=await is_owner(interaction),
        )
        locales = member_locales(interaction)
        grouped = help_.sections(
            self._help_entries(locales), asker, self._help_off(locales), locales
        )
        embed = discord.Embed(
            title=for_member(interaction, "herbot: what you can use here"), colour=HELP_COLOUR
        )
        for title, lines in grouped.items():
            for i, chunk in enumerate(chunk_lines(lines, EMBED_FIELD_VALUE_LIMIT)):
                name = title if i == 0 else for_member(interaction, "{title} (more)", title=title)
                embed.add_field(name=name, value=chunk, inline=False)
        if asker.moderator:
            embed.add_field(
                name=for_member(interaction, "Times"),
                value=TIMES_HELP.render(locales),
                inline=False,
            )
        if in_server:
            embed.set_footer(
                text=for_member(
                    interaction,
                    "Right-click a message → Apps → Save as quote, too. "
                    "Questions /ask can't answer well, and answers you rate Not helpful, are "
                    "shown to this server's curators so they can teach it (/privacy forget-me "
                    "removes yours).",
                )
            )
        else:
            embed.description = for_member(
                interaction,
                "Here herbot answers from its curated store: quotes and facts about *Her* "
                "and the two articles. Servers that add herbot get debates, polls, recording "
                "and their own quotes too.",
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def _help_off(self, locales: help_.Locales) -> dict[str, list[str]]:
        """Each feature's parts that are off without the Message Content intent."""
        off: dict[str, list[str]] = {}
        if self.bot.intents.message_content:
            return off
        for feature in self.bot.features:
            title = _title(feature.description, locales)
            for need in feature.message_content:
                off.setdefault(title, []).append(help_.off_line(need.what, need.commands, locales))
        return off

    def _help_entries(self, locales: help_.Locales = None) -> list[help_.Entry]:
        """Every slash command, with its feature's title (features in the configured order),
        its name and description in the reader's language (the catalogs of the sync)."""
        titles: list[tuple[str, str]] = [
            (module, _title(feature.description, locales))
            for module, feature in zip(self.bot.settings.features, self.bot.features, strict=False)
        ]
        order = {title: i for i, (_, title) in enumerate(titles)}
        own = next((t for m, t in titles if type(self).__module__.startswith(m + ".")), None)
        if own is not None:
            order[own] = len(order)  # help, settings and privacy after the features
        entries = []
        for command in self.bot.tree.walk_commands():
            if not isinstance(command, app_commands.Command):
                continue
            module = type(command.binding).__module__ if command.binding else ""
            section = next(
                (t for m, t in titles if module == m or module.startswith(m + ".")), "herbot"
            )
            entries.append(
                help_.Entry(
                    name=_command_name(command, locales),
                    description=_description(command.description, locales),
                    audience=audience(command),
                    section=section,
                    needs_server=needs_server(command),
                )
            )
        entries.sort(key=lambda e: (order.get(e.section, len(order)), e.name))
        return entries


# The catalogs' places for what the sync and the tree's walk give (bot/translator.py), and for
# texts the core defines as data (a setting's description, a feature's title).
NAME, DESCRIPTION = "command name", "command description"
SETTING, FEATURE_TITLE = "setting", "feature title"


def _setting(key: guild_settings.Key, locales: help_.Locales) -> str:
    """A setting's description in the reader's language (tools/i18n.py collects them)."""
    return i18n.lookup(key.description, locales, context=SETTING) or key.description


def _title(description: str, locales: help_.Locales) -> str:
    title = help_.section_title(description)
    return i18n.lookup(title, locales, context=FEATURE_TITLE) or title


def _description(english: str, locales: help_.Locales) -> str:
    """A command's description in the reader's language; a moderator command's leading
    "Moderators: " (in any language) goes: /help marks who may run it."""
    text = i18n.lookup(english, locales, context=DESCRIPTION) or english
    if english.startswith(help_.MODERATORS_PREFIX) and ":" in text:
        text = text.split(":", 1)[1].strip()
    return text


def _command_name(command: app_commands.Command, locales: help_.Locales) -> str:
    """``/poll create`` as the reader's client shows it (each part localized at sync)."""
    parts: list[str] = []
    node: app_commands.Command | app_commands.Group | None = command
    while node is not None:
        parts.append(i18n.lookup(node.name, locales, context=NAME) or node.name)
        node = node.parent
    return " ".join(reversed(parts))


def _mention(key: str, value: object) -> str:
    if key == "moderator_role_id":
        return f"<@&{value}>"
    if key.endswith("_channel_id"):
        return f"<#{value}>"
    if key.endswith("_channel_ids") and isinstance(value, list):
        return ", ".join(f"<#{v}>" for v in value) or "none"
    return f"`{value}`"
