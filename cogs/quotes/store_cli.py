"""``herbot quotes import|export|validate``."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``quotes`` subcommand (filled in by the quote-store work)."""
