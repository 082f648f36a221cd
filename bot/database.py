"""Opening the application's database: migrate, then seed what an empty database needs.

Seeders are ``module:function`` names so the core does not import feature code at import
time; each takes ``(db, settings)`` and must be idempotent.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite

from bot.config import Settings
from bot.db import connect

log = logging.getLogger(__name__)

SEEDERS = ("cogs.quotes.seed:ensure_curated",)


async def seed(db: aiosqlite.Connection, settings: Settings) -> None:
    for name in SEEDERS:
        module_name, _, func_name = name.partition(":")
        func = getattr(importlib.import_module(module_name), func_name)
        await func(db, settings)


async def prepare_database(settings: Settings) -> aiosqlite.Connection:
    db = await connect(settings.database)
    try:
        await seed(db, settings)
    except BaseException:
        await db.close()
        raise
    return db


@asynccontextmanager
async def app_database(settings: Settings) -> AsyncIterator[aiosqlite.Connection]:
    db = await prepare_database(settings)
    try:
        yield db
    finally:
        await db.close()
