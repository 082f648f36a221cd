"""Administration: command sync on demand, per-guild settings, help."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Herbot


async def setup(bot: Herbot) -> None:
    from cogs.admin.cog import Admin
    from cogs.admin.privacy import Privacy

    await bot.add_cog(Admin(bot))
    await bot.add_cog(Privacy(bot))
