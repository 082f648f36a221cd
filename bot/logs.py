"""Logging is configured once, here, by the entry point; modules use getLogger(__name__).

Two formats: text lines for a terminal (the default) and, with ``HERBOT_LOG_FORMAT=json`` or
``[bot] log_format = "json"``, one JSON object a line (python-json-logger) for a host that
collects the logs of several shard processes: ``time``, ``level``, ``logger``, ``message``,
and what the line is about (``shard``, ``guild``, ``command``, ``interaction_id``,
``error_id``: :mod:`bot.context`), ``exc_info`` when there is a traceback. What a member
typed is never logged above DEBUG, in either format.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bot.context import FIELDS, ContextFilter

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    class TimeFirst(JsonFormatter):
        """``time`` (ISO 8601, UTC) as each object's first key, as a reader scans a line."""

        def add_fields(
            self, log_data: dict[str, Any], record: logging.LogRecord, message: dict[str, Any]
        ) -> None:
            super().add_fields(log_data, record, message)
            rest = dict(log_data)
            log_data.clear()
            log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat()
            log_data.update(rest)

    fields = " ".join(f"%({name})s" for name in ("levelname", "name", "message", *FIELDS))
    return TimeFirst(fields, rename_fields={"levelname": "level", "name": "logger"})


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    if fmt == "json":
        handler.setFormatter(json_formatter())
        logging.captureWarnings(True)  # Python's warnings become JSON lines too
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, datefmt="%Y-%m-%d %H:%M:%S"))
    logging.basicConfig(level=level, handlers=[handler])
    # discord.http logs every rate-limit bucket at INFO; keep it to warnings.
    logging.getLogger("discord.http").setLevel(logging.WARNING)
    logging.getLogger("discord.gateway").setLevel(logging.WARNING)
    # Alembic announces each of its plugins at INFO on every open: not herbot's news.
    logging.getLogger("alembic").setLevel(logging.WARNING)
