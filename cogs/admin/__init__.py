"""Administration: command sync on demand, per-guild settings, help, /privacy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Feature

if TYPE_CHECKING:
    from bot.app import Herbot


async def _setup(bot: Herbot) -> None:
    from cogs.admin.cog import Admin
    from cogs.admin.privacy_cog import Privacy

    await bot.add_cog(Admin(bot))
    await bot.add_cog(Privacy(bot))


feature = Feature(
    name="admin",
    description="Help, settings and privacy: help, settings, command sync and members' privacy",
    setup=_setup,
)
