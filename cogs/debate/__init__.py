"""Debate polls and moderated Oxford-style debate events (see docs/debate.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Herbot


async def setup(bot: Herbot) -> None:
    """Register this feature's cog (its persistent buttons are added in cog_load)."""
    from cogs.debate.cog import DebateCog

    await bot.add_cog(DebateCog(bot))
