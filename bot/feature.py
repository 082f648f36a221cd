"""The one contract every feature exports: what it plugs into the core.

A feature is a package listed in ``config/settings.toml`` (``[bot] features``) whose
``__init__`` exports ``feature = Feature(...)`` and nothing else. The core walks the
configured features and asks each one; it never names a feature:

* ``setup(bot)`` adds the cogs and persistent items;
* ``seed(db, settings)`` makes an opened database ready (idempotent, every start);
* ``warm_up(db, settings)`` does slow start-up work before the gateway connects;
* ``cli(subparsers)`` adds the feature's ``herbot`` subcommands;
* ``privacy`` says what the feature keeps about a member and how it forgets it.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.app import Herbot
    from bot.config import Settings
    from bot.db import Database, Reader, Transaction

Scope = Literal["quote", "record"]
Counts = dict[str, int]


@dataclass(frozen=True, slots=True)
class Privacy:
    """A feature's part in /privacy. Every function runs inside the caller's transaction.

    ``forget`` removes or anonymises everything of the member and returns what it did, as
    ``{label the member reads: count}``, the label marking its plural for
    :func:`bot.presentation.plural` (``"quote[s] of your words"``, ``"[entry|entries] ..."``);
    ``opt_out`` does what stopping ``scope`` means for what is already kept; ``status`` counts
    what is kept now, under forget's labels, each row once. ``personal_columns`` and
    ``other_columns`` classify every column of the feature's tables (a test reads the schema
    and fails on a column nobody classified); ``fts_tables`` are full-text indexes whose
    deleted tokens must be merged away after forgetting.
    """

    forget: Callable[[Transaction, int], Awaitable[Counts]]
    status: Callable[[Reader, int], Awaitable[Counts]]
    opt_out: Callable[[Transaction, int, Scope], Awaitable[Counts]] | None = None
    personal_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    other_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fts_tables: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    description: str
    setup: Callable[[Herbot], Awaitable[None]]
    seed: Callable[[Database, Settings], Awaitable[None]] | None = None
    warm_up: Callable[[Database, Settings], Awaitable[None]] | None = None
    cli: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] | None = None
    privacy: Privacy | None = None


def load_feature(module_name: str) -> Feature:
    module = importlib.import_module(module_name)
    feature = getattr(module, "feature", None)
    if not isinstance(feature, Feature):
        raise TypeError(f"{module_name} does not export `feature = Feature(...)`")
    return feature


def load_features(module_names: tuple[str, ...]) -> tuple[Feature, ...]:
    return tuple(load_feature(name) for name in module_names)
