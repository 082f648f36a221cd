"""The one contract every feature exports: what it plugs into the core.

A feature is a package listed in ``config/settings.toml`` (``[bot] features``) whose
``__init__`` exports ``feature = Feature(...)`` and nothing else. The core walks the
configured features and asks each one; it never names a feature:

* ``setup(bot)`` adds the cogs and persistent items;
* ``seed(db, settings)`` makes an opened database ready (idempotent, every start);
* ``warm_up(db, settings)`` does slow start-up work before the gateway connects;
* ``cli(subparsers)`` adds the feature's ``herbot`` subcommands;
* ``privacy`` says what the feature keeps about a member and how it forgets it;
* ``requires`` names the features it builds on (loaded before it, added when missing);
* ``message_content`` names its parts that read members' messages, off without the
  privileged intent (``bot/intents.py`` refuses their commands and ``/help`` says so);
* ``permissions`` and ``settings`` say what it needs in a server and reads from
  settings.toml, and ``doctor`` checks the rest of what it needs (``herbot doctor``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.app import Herbot
    from bot.config import Settings
    from bot.db import Database, Reader, Transaction
    from bot.doctor import Finding

log = logging.getLogger(__name__)

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
class NeedsContent:
    """A part of a feature that reads members' messages as Discord sends them.

    Without the privileged Message Content intent, Discord blanks the text, embeds and
    attachments of other people's messages in gateway events and in messages read over REST
    (it still sends them for messages that mention the bot and in DMs; herbot does not rely on
    that). Context menus are not affected: the interaction carries the message it acts on.
    While the intent is off, the core refuses ``commands`` with a private answer naming
    ``what`` (and ``instead``, what still works), and ``/help`` says once that it is off; the
    feature's own listeners stay quiet (they read ``bot.intents.message_content``).
    """

    what: str  # "Live recording": the refusal, /help and herbot doctor name it so
    commands: tuple[str, ...] = ()  # qualified names: "record start"
    instead: str = ""  # "Recorded transcripts can still be searched and exported."


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    description: str
    setup: Callable[[Herbot], Awaitable[None]]
    seed: Callable[[Database, Settings], Awaitable[None]] | None = None
    warm_up: Callable[[Database, Settings], Awaitable[None]] | None = None
    cli: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] | None = None
    privacy: Privacy | None = None
    requires: tuple[str, ...] = ()  # module names of the features it builds on
    message_content: tuple[NeedsContent, ...] = ()
    # discord.Permissions names it needs in every server ("send_messages"): herbot doctor
    # reads each server's grant against them.
    permissions: tuple[str, ...] = ()
    # The settings.toml tables and keys it reads: herbot doctor names any other key.
    settings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Its own checks for herbot doctor (settings' values, files it ships): run in a thread.
    doctor: Callable[[Settings], list[Finding]] | None = None


def merged_counts(*parts: Mapping[str, int]) -> Counts:
    """A feature's privacy counts from several stores: the same label adds up."""
    total: Counts = {}
    for part in parts:
        for label, count in part.items():
            total[label] = total.get(label, 0) + count
    return total


def merged_columns(*parts: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """A feature's column classification from several stores, table by table."""
    merged: dict[str, tuple[str, ...]] = {}
    for part in parts:
        for table, columns in part.items():
            merged[table] = merged.get(table, ()) + columns
    return merged


def load_feature(module_name: str) -> Feature:
    module = importlib.import_module(module_name)
    feature = getattr(module, "feature", None)
    if not isinstance(feature, Feature):
        raise TypeError(f"{module_name} does not export `feature = Feature(...)`")
    return feature


def load_features(module_names: tuple[str, ...]) -> tuple[Feature, ...]:
    """The configured features in order, each after the features it requires.

    A required feature missing from the list (settings written before a feature was split
    in two) is loaded just before the first feature that needs it, with a warning.
    """
    loaded: dict[str, Feature] = {}

    def add(name: str) -> None:
        if name in loaded:
            return
        feature = load_feature(name)
        for required in feature.requires:
            if required not in module_names and required not in loaded:
                log.warning(
                    "settings: %s needs %s; add it to [bot] features before it (loaded anyway)",
                    name,
                    required,
                )
            add(required)
        loaded[name] = feature

    for name in module_names:
        add(name)
    return tuple(loaded.values())
