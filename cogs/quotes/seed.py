"""Seeding the curated quote store into an empty database (filled in by the quotes feature)."""

from __future__ import annotations

import aiosqlite

from bot.config import Settings


async def ensure_curated(db: aiosqlite.Connection, settings: Settings) -> None:
    """Import config/quotes/ when the store is empty; idempotent."""
