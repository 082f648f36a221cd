"""Feature package: debate (placeholder until the feature lands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Herbot


async def setup(bot: Herbot) -> None:
    """Register this feature's cog."""
