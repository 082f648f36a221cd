"""``herbot ask`` and ``herbot quotes ...``."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from cogs.quotes import store_cli
    from cogs.quotes.ask import cli as ask_cli

    ask_cli.register(sub)
    store_cli.register(sub)
