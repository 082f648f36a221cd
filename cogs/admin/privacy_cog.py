"""/privacy: members choose whether herbot keeps their words, and can be forgotten.

The work is done by the core (:mod:`bot.privacy`), which asks every feature in one
transaction; this cog only asks, confirms and reports what was actually removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n, privacy
from bot.errors import report
from bot.i18n import Text, _
from bot.presentation import plural
from bot.translator import for_member, member_locales

if TYPE_CHECKING:
    from bot.app import Herbot

ScopeChoice = Literal["recording", "quotes", "both"]
_SCOPES: dict[str, tuple[privacy.Scope, ...]] = {
    "recording": ("record",),
    "quotes": ("quote",),
    "both": ("record", "quote"),
}
_NAMES: dict[privacy.Scope, Text] = {
    "record": _("recording of your messages"),
    "quote": _("saving your messages as quotes"),
}
# The catalogs' place for the features' count labels ("quote[s] of your words"): each is a
# plural entry whose id is the label itself (tools/i18n.py collects them).
COUNT = "count"
REMAINS = "privacy remains"  # bot/privacy.py's remains(), by engine


def _summary(counts: dict[str, int], locales: i18n.LocaleLike | tuple[str | None, ...]) -> str:
    """``1 quote of your words, 2 recorded messages``: each label marks its plural
    (``quote[s] of your words``, see :class:`bot.feature.Privacy`)."""
    parts = [_counted(label, n, locales) for label, n in counts.items() if n]
    if not parts:
        return i18n.translate("nothing", locales)
    return i18n.render(i18n.Listed(parts), locales)


def _counted(label: str, n: int, locales: i18n.LocaleLike | tuple[str | None, ...]) -> str:
    """``3 quotes of your words`` in the reader's language: the catalog's plural form of the
    label after the number written the locale's way; English by :func:`plural`."""
    form = i18n.nlookup(label, label, n, locales, context=COUNT)
    if form is None:
        return plural(n, label)
    return f"{i18n.format_number(n, locales)} {form}"


def _scopes(scope: str, locales: tuple[str | None, ...]) -> str:
    return i18n.render(i18n.Listed(_NAMES[s] for s in _SCOPES[scope]), locales)


class ForgetMeView(discord.ui.View):
    """A one-off confirmation, only for the member who asked."""

    def __init__(self, bot: Herbot, user_id: int) -> None:
        super().__init__(timeout=120)
        self.bot = bot
        self.user_id = user_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.user_id

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        await report(interaction, error, "privacy forget-me")

    @discord.ui.button(label="Yes, delete my data", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        # Scrubbing afterwards (a checkpoint, a VACUUM) may take longer than Discord waits.
        await interaction.response.defer()
        # As of the click by Discord's clock too (its snowflake): a message sent before it
        # has an earlier id, whatever this host's clock says.
        at = max(self.bot.now(), interaction.created_at)
        counts = await privacy.forget(self.bot.db, self.bot.features, self.user_id, at=at)
        self.stop()
        locales = member_locales(interaction)
        remains = privacy.remains(self.bot.db)
        await interaction.edit_original_response(
            content=for_member(
                interaction,
                "Done. Removed {what}. {remains}",
                what=_summary(counts, locales),
                remains=i18n.lookup(remains, locales, context=REMAINS) or remains,
            ),
            view=None,
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=for_member(interaction, "Nothing was deleted."), view=None
        )


class Privacy(commands.Cog):
    group = app_commands.Group(name="privacy", description="What herbot keeps of your words")

    def __init__(self, bot: Herbot) -> None:
        self.bot = bot

    @group.command(name="opt-out", description="Stop herbot recording or quoting your messages")
    @app_commands.describe(scope="what to stop: recording, quotes, or both")
    async def opt_out(self, interaction: discord.Interaction, scope: ScopeChoice = "both") -> None:
        removed = await privacy.opt_out(
            self.bot.db, self.bot.features, interaction.user.id, _SCOPES[scope]
        )
        locales = member_locales(interaction)
        await interaction.response.send_message(
            for_member(
                interaction,
                "Stopped {what}. Already kept: redacted or withdrawn {removed}. "
                "Undo with `/privacy opt-in`.",
                what=_scopes(scope, locales),
                removed=_summary(removed, locales),
            ),
            ephemeral=True,
        )

    @group.command(name="opt-in", description="Allow herbot to record or quote your messages")
    async def opt_in(self, interaction: discord.Interaction, scope: ScopeChoice = "both") -> None:
        await privacy.opt_in(self.bot.db, interaction.user.id, _SCOPES[scope])
        allowed = _scopes(scope, member_locales(interaction))
        await interaction.response.send_message(
            for_member(interaction, "Allowed {what} again, from now on.", what=allowed),
            ephemeral=True,
        )

    @group.command(name="status", description="What herbot currently keeps of your words")
    async def status(self, interaction: discord.Interaction) -> None:
        locales = member_locales(interaction)
        lines = []
        for scope, name in _NAMES.items():
            off = await privacy.is_opted_out(self.bot.db, interaction.user.id, scope)
            state = for_member(interaction, "🚫 off") if off else for_member(interaction, "✅ on")
            lines.append(f"{state} — {name.render(locales)}")
        forgotten = await privacy.forgotten_at(self.bot.db, interaction.user.id)
        if forgotten is not None:
            lines.append(
                for_member(
                    interaction,
                    "🧹 forgotten {when}: nothing you wrote until then is collected again "
                    "(herbot keeps a keyed hash of your id and that time, not your id)",
                    when=discord.utils.format_dt(forgotten),
                )
            )
        kept = await privacy.status(self.bot.db, self.bot.features, interaction.user.id)
        lines.append("")
        lines.append(
            for_member(interaction, "**Kept about you now:** {kept}", kept=_summary(kept, locales))
        )
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @group.command(name="forget-me", description="Delete everything herbot keeps of your words")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        kept = await privacy.status(self.bot.db, self.bot.features, interaction.user.id)
        await interaction.response.send_message(
            for_member(
                interaction,
                "This removes everything herbot keeps of you, everywhere it runs: {kept}. "
                "Your words are deleted; where a record must stay (a closed poll's count, "
                "an approved quote of your message) your name and id are removed from it. "
                "It cannot be undone.",
                kept=_summary(kept, member_locales(interaction)),
            ),
            view=ForgetMeView(self.bot, interaction.user.id),
            ephemeral=True,
        )
