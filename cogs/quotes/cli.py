"""``herbot ask`` and ``herbot quotes ...``."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from cogs.quotes import ask_cli, store_cli

    ask_cli.register(sub)
    store_cli.register(sub)
