"""/privacy: members choose whether herbot keeps their words, and can be forgotten.

The work is done by the core (:mod:`bot.privacy`), which asks every feature in one
transaction; this cog only asks, confirms and reports what was actually removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import privacy
from bot.errors import report
from bot.presentation import plural

if TYPE_CHECKING:
    from bot.app import Herbot

ScopeChoice = Literal["recording", "quotes", "both"]
_SCOPES: dict[str, tuple[privacy.Scope, ...]] = {
    "recording": ("record",),
    "quotes": ("quote",),
    "both": ("record", "quote"),
}
_NAMES: dict[privacy.Scope, str] = {
    "record": "recording of your messages",
    "quote": "saving your messages as quotes",
}


def _summary(counts: dict[str, int]) -> str:
    """``1 quote of your words, 2 recorded messages``: each label marks its plural
    (``quote[s] of your words``, see :class:`bot.feature.Privacy`)."""
    parts = [plural(n, label) for label, n in counts.items() if n]
    return ", ".join(parts) if parts else "nothing"


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
        counts = await privacy.forget(self.bot.db, self.bot.features, self.user_id)
        self.stop()
        await interaction.response.edit_message(
            content=f"Done. Removed {_summary(counts)}.", view=None
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was deleted.", view=None)


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
        stopped = " and ".join(_NAMES[s] for s in _SCOPES[scope])
        await interaction.response.send_message(
            f"Stopped {stopped}. Already kept: redacted or withdrawn {_summary(removed)}. "
            "Undo with `/privacy opt-in`.",
            ephemeral=True,
        )

    @group.command(name="opt-in", description="Allow herbot to record or quote your messages")
    async def opt_in(self, interaction: discord.Interaction, scope: ScopeChoice = "both") -> None:
        await privacy.opt_in(self.bot.db, interaction.user.id, _SCOPES[scope])
        allowed = " and ".join(_NAMES[s] for s in _SCOPES[scope])
        await interaction.response.send_message(
            f"Allowed {allowed} again, from now on.", ephemeral=True
        )

    @group.command(name="status", description="What herbot currently keeps of your words")
    async def status(self, interaction: discord.Interaction) -> None:
        lines = []
        for scope, name in _NAMES.items():
            off = await privacy.is_opted_out(self.bot.db, interaction.user.id, scope)
            lines.append(f"{'🚫 off' if off else '✅ on'} — {name}")
        kept = await privacy.status(self.bot.db, self.bot.features, interaction.user.id)
        lines.append("")
        lines.append("**Kept about you now:** " + _summary(kept))
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @group.command(name="forget-me", description="Delete everything herbot keeps of your words")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "This removes everything herbot keeps of you, everywhere it runs: "
            + _summary(await privacy.status(self.bot.db, self.bot.features, interaction.user.id))
            + ". Your words are deleted; where a record must stay (a closed poll's count, "
            "an approved quote of your message) your name and id are removed from it. "
            "It cannot be undone.",
            view=ForgetMeView(self.bot, interaction.user.id),
            ephemeral=True,
        )
