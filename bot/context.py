"""What a log line is about: shard, guild, command and interaction, kept in contextvars.

The interaction path sets them once, when discord.py parses an ``INTERACTION_CREATE``
(:func:`install` wraps that parser, outside every other wrapper): the tasks discord.py and
the fast lane create for the interaction copy the context then, so every line they log, down
to the store, carries the same fields. ``herbot run`` sets the process's shard when it runs
exactly one. :class:`ContextFilter` puts the values on each log record, where the JSON
format (``bot/logs.py``) writes them; an error's id is given to its own log call
(``extra={"error_id": ...}``).

Only ids and the command's name are kept, never an option's value: nothing a member typed
gets into a log line this way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

shard: ContextVar[int | None] = ContextVar("herbot_shard", default=None)
guild: ContextVar[int | None] = ContextVar("herbot_guild", default=None)
command: ContextVar[str | None] = ContextVar("herbot_command", default=None)
interaction: ContextVar[int | None] = ContextVar("herbot_interaction", default=None)

#: The record attributes :class:`ContextFilter` sets (and the JSON format writes).
FIELDS = ("shard", "guild", "command", "interaction_id", "error_id")

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2


class ContextFilter(logging.Filter):
    """Put the current context on every record (a value the call passed in wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = {
            "shard": shard.get(),
            "guild": guild.get(),
            "command": command.get(),
            "interaction_id": interaction.get(),
            "error_id": None,
        }
        for name, value in values.items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


def command_name(data: dict[str, Any]) -> str | None:
    """What an interaction payload is for, by name: ``/poll create``, a context menu's name,
    a component's or modal's custom id (the bot's own text); never an option's value."""
    kind = data.get("type")
    inner = data.get("data") or {}
    if kind in (APPLICATION_COMMAND, AUTOCOMPLETE):
        words = [str(inner.get("name", "?"))]
        options = inner.get("options") or []
        while options and options[0].get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP):
            words.append(str(options[0].get("name", "?")))
            options = options[0].get("options") or []
        name = " ".join(words)
        return f"/{name}" if inner.get("type", 1) == 1 else name
    if kind in (COMPONENT, MODAL_SUBMIT):
        custom_id = inner.get("custom_id")
        return str(custom_id) if custom_id else None
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def install(
    parsers: dict[str, Callable[[Any], None]], shard_of: Callable[[int | None], int]
) -> None:
    """Set the context around discord.py's ``INTERACTION_CREATE`` parser (install it last:
    the wrappers inside, the fast lane's included, create their tasks within it)."""
    parser = parsers.get("INTERACTION_CREATE")
    if parser is None or getattr(parser, "herbot_context", False):
        return

    def with_context(data: Any) -> None:
        guild_id = _int(data.get("guild_id")) if isinstance(data, dict) else None
        tokens = (
            shard.set(shard_of(guild_id)),
            guild.set(guild_id),
            command.set(command_name(data) if isinstance(data, dict) else None),
            interaction.set(_int(data.get("id")) if isinstance(data, dict) else None),
        )
        try:
            parser(data)
        finally:
            for var, token in zip((shard, guild, command, interaction), tokens, strict=True):
                var.reset(token)  # type: ignore[attr-defined]

    with_context.herbot_context = True  # type: ignore[attr-defined]
    parsers["INTERACTION_CREATE"] = with_context
