"""Logging is configured once, here, by the entry point; modules use getLogger(__name__)."""

from __future__ import annotations

import logging


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    # discord.http logs every rate-limit bucket at INFO; keep it to warnings.
    logging.getLogger("discord.http").setLevel(logging.WARNING)
    logging.getLogger("discord.gateway").setLevel(logging.WARNING)
    # Alembic announces each of its plugins at INFO on every open: not herbot's news.
    logging.getLogger("alembic").setLevel(logging.WARNING)
