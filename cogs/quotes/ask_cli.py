"""``herbot ask QUESTION [--json]``."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``ask`` subcommand (filled in by the /ask work)."""
