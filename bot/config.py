"""Settings: secrets from the environment (or .env), the rest from settings.toml.

Loaded and validated once at start. Problems raise :class:`ConfigError` with a one-line
message that says what to fix; the CLI prints it instead of a traceback.

The shipped configuration (settings, motions, debate formats, the curated store) is package
data of ``herbot_config``, so an installed herbot finds it from any working directory. A host
overrides it file by file: a file in their config directory (``HERBOT_CONFIG_DIR``, else
``config/`` in the working directory) replaces the shipped file of the same name, and what
they leave out comes from the package.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

SHIPPED_PACKAGE = "herbot_config"
SETTINGS_FILE = "settings.toml"
ENV_FILE = ".env"  # read from the working directory, never from where herbot is installed


def shipped_dir() -> Path:
    """The configuration inside the installed package (``herbot_config/``)."""
    found = resources.files(SHIPPED_PACKAGE)
    if not isinstance(found, Path):  # a zip import: the files are read as files
        raise ConfigError(f"herbot's {SHIPPED_PACKAGE} package must be installed as files")
    return found


def override_dir(environ: Mapping[str, str]) -> Path | None:
    """The host's config directory: ``HERBOT_CONFIG_DIR``, else ``./config`` when it exists."""
    named = environ.get("HERBOT_CONFIG_DIR")
    if named:
        if not Path(named).is_dir():
            raise ConfigError(
                f"HERBOT_CONFIG_DIR={named} is not a directory: create it or unset it"
            )
        return Path(named).absolute()
    here = Path("config")
    return here.absolute() if here.is_dir() else None


def load_env_file() -> None:
    """``.env`` of the working directory into the environment; set variables win."""
    load_dotenv(Path(ENV_FILE), override=False)


# The keys ``[bot]`` may hold (``herbot doctor`` names any other: a typo is otherwise silent).
BOT_KEYS = frozenset(
    {
        "database",
        "features",
        "extensions",
        "log_level",
        "owner_ids",
        "speedups",
        "cache_check_seconds",
        "message_content",
        "metrics_addr",
        "log_format",
        "forget_ledger",
    }
)
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


class StartError(Exception):
    """The bot could not start for a reason the operator can fix; one line says which.

    Defined here, not in ``bot.errors``, so CLI jobs that never start the bot (``herbot ask``)
    do not import discord.py to catch it.
    """


class Secret(str):
    """A string that never shows itself in repr() or logs."""

    def __repr__(self) -> str:
        return "Secret('********')"

    def reveal(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True, slots=True)
class Settings:
    # A SQLite file (the default), or a ``postgresql://`` URL from HERBOT_DATABASE_URL.
    database: Path | str
    features: tuple[str, ...]
    log_level: str = "INFO"
    owner_ids: frozenset[int] = frozenset()
    token: Secret | None = None
    api_base: str | None = None
    gateway_url: str | None = None
    speedups: bool = True  # uvloop, orjson, a bounded HTTP pool (bot/speed.py)
    # Identify with the privileged Message Content intent; without it the features' parts
    # that read members' messages are off and say so (bot/intents.py).
    message_content: bool = True
    # Several processes on one database (docs/scaling.md): None = one process, every shard.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    cache_check_seconds: float = 5.0  # how often a sharded process looks for others' changes
    # Where relative paths in the settings are looked up, first match first (see ``path``).
    config_dirs: tuple[Path, ...] = ()
    # Health, readiness and Prometheus metrics over HTTP (bot/health.py): "host:port" or off.
    metrics_addr: tuple[str, int] | None = None
    log_format: str = "text"  # or "json": one object a line (bot/logs.py)
    # Forgotten members, hashed, outside the database: a restore re-applies them
    # (bot/forget_ledger.py). None: beside the SQLite file, or in the working directory.
    forget_ledger: Path | None = None
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: Path | None = None  # the settings file read
    # What the file holds that nothing reads: "[bot] 'x'", "top-level 'y'" (herbot doctor).
    unread: tuple[str, ...] = ()

    def section(self, name: str) -> dict[str, Any]:
        """The raw table ``[name]`` of settings.toml (each feature validates its own)."""
        return dict(self.sections.get(name, {}))

    def path(self, value: str | os.PathLike[str]) -> Path:
        """A path from the settings: absolute as is; relative, the first of the config
        directories that has it (the settings file's own, the host's, the shipped one), else
        where the host would put it."""
        p = Path(value)
        if p.is_absolute():
            return p
        if len(p.parts) > 1 and p.parts[0] == "config":  # how earlier releases spelled them
            p = Path(*p.parts[1:])
        dirs = self.config_dirs or (shipped_dir(),)
        return next((d / p for d in dirs if (d / p).exists()), dirs[0] / p)

    def require_token(self) -> Secret:
        if not self.token:
            raise ConfigError(
                "DISCORD_TOKEN is not set: put DISCORD_TOKEN=<your bot token> in .env "
                "or the environment (see README, 'Create the Discord application')."
            )
        return self.token


def _expect(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = table[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{where}: '{key}' must be a {names}, got {value!r}")
    return value


def load_settings(
    path: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    dotenv: bool = True,
) -> Settings:
    """Read settings.toml and the environment; raise ConfigError on anything malformed.

    The file: ``HERBOT_SETTINGS``, else ``path``, else the host's config directory's
    ``settings.toml``, else the shipped one.
    """
    if dotenv and env is None:
        load_env_file()
    environ = os.environ if env is None else env
    yours = override_dir(environ)
    dirs = [shipped_dir()]
    if yours is not None:
        dirs.insert(0, yours)
    named = environ.get("HERBOT_SETTINGS") or path
    if named:
        path = Path(named)
        dirs.insert(0, path.parent.absolute())
    else:
        shipped = dirs[-1] / SETTINGS_FILE
        path = next((d / SETTINGS_FILE for d in dirs if (d / SETTINGS_FILE).is_file()), shipped)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"settings file {path} not found: give an existing file, or leave out --settings "
            "and HERBOT_SETTINGS for herbot's own"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}): fix that line") from None

    where = f"{path} [bot]"
    bot = raw.get("bot", {})
    if not isinstance(bot, dict):
        raise ConfigError(f"{path}: [bot] must be a table")
    database = environ.get("HERBOT_DB") or _expect(
        {"database": bot.get("database", "herbot.db")}, "database", str, where
    )
    # `extensions` is the name releases before the feature contract used.
    key = "features" if "features" in bot or "extensions" not in bot else "extensions"
    features = _expect({key: bot.get(key, [])}, key, list, where)
    if not all(isinstance(e, str) for e in features):
        raise ConfigError(f"{where}: '{key}' must be a list of feature package names")
    log_level = str(bot.get("log_level", "INFO")).upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"{where}: 'log_level' must be DEBUG, INFO, WARNING or ERROR")
    owners = bot.get("owner_ids", [])
    if not isinstance(owners, list) or not all(isinstance(o, int) for o in owners):
        raise ConfigError(f"{where}: 'owner_ids' must be a list of user ids (numbers)")

    speedups = bot.get("speedups", True)
    if not isinstance(speedups, bool):
        raise ConfigError(f"{where}: 'speedups' must be true or false")
    if environ.get("HERBOT_SPEEDUPS"):
        speedups = environ["HERBOT_SPEEDUPS"].strip().lower() not in FALSE_WORDS
    message_content = bot.get("message_content", True)
    if not isinstance(message_content, bool):
        raise ConfigError(f"{where}: 'message_content' must be true or false")
    if environ.get("HERBOT_MESSAGE_CONTENT"):
        message_content = environ["HERBOT_MESSAGE_CONTENT"].strip().lower() not in FALSE_WORDS

    metrics_addr = _metrics_addr(environ.get("HERBOT_METRICS_ADDR"), bot.get("metrics_addr"), where)
    log_format = str(environ.get("HERBOT_LOG_FORMAT") or bot.get("log_format", "text")).lower()
    if log_format not in {"text", "json"}:
        raise ConfigError(f"{where}: 'log_format' (or HERBOT_LOG_FORMAT) must be text or json")

    token = environ.get("DISCORD_TOKEN") or None
    db_path: Path | str = Path(database).absolute()  # a relative path: from the working directory
    url = environ.get("HERBOT_DATABASE_URL") or ""
    if url.startswith("sqlite:///"):
        db_path = Path(url.removeprefix("sqlite:///")).resolve()
    elif url:
        if not url.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
            raise ConfigError(
                "HERBOT_DATABASE_URL must be postgresql://user:password@host/dbname "
                "or sqlite:///path (unset: the SQLite file from HERBOT_DB or settings.toml)"
            )
        db_path = url
    ledger = environ.get("HERBOT_FORGET_LEDGER") or _expect(
        {"forget_ledger": bot.get("forget_ledger", "")}, "forget_ledger", str, where
    )
    sections = {k: v for k, v in raw.items() if isinstance(v, dict) and k != "bot"}
    unread = [f"[bot] '{k}'" for k in bot if k not in BOT_KEYS]
    unread += [f"top-level '{k}'" for k, v in raw.items() if not isinstance(v, dict)]
    shard_count, shard_ids = _shards(environ)
    cache_check = bot.get("cache_check_seconds", 5.0)
    number = isinstance(cache_check, int | float) and not isinstance(cache_check, bool)
    if not number or cache_check <= 0:
        raise ConfigError(f"{where}: 'cache_check_seconds' must be a positive number of seconds")
    return Settings(
        database=db_path,
        features=tuple(features),
        log_level=log_level,
        owner_ids=frozenset(owners),
        token=Secret(token) if token else None,
        api_base=environ.get("DISCORD_API_BASE") or None,
        gateway_url=environ.get("DISCORD_GATEWAY_URL") or None,
        speedups=speedups,
        message_content=message_content,
        shard_count=shard_count,
        shard_ids=shard_ids,
        cache_check_seconds=float(cache_check),
        config_dirs=tuple(dict.fromkeys(dirs)),
        metrics_addr=metrics_addr,
        log_format=log_format,
        forget_ledger=Path(ledger).absolute() if ledger else None,
        sections=sections,
        source=path,
        unread=tuple(unread),
    )


def _metrics_addr(env_value: str | None, toml_value: Any, where: str) -> tuple[str, int] | None:
    """``HERBOT_METRICS_ADDR`` or ``[bot] metrics_addr``: ``"127.0.0.1:9108"``; empty: off."""
    value = env_value if env_value is not None else toml_value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")  # [::1]:9108
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(
            f"{where}: 'metrics_addr' (or HERBOT_METRICS_ADDR) must be host:port, "
            f"e.g. 127.0.0.1:9108; got {text!r}"
        )
    return host, int(port)


def _shards(environ: Any) -> tuple[int | None, tuple[int, ...] | None]:
    """HERBOT_SHARD_COUNT / HERBOT_SHARD_IDS (a systemd template unit sets them per process)."""
    from bot.shards import ShardSet, parse_ids

    try:
        count = int(environ["HERBOT_SHARD_COUNT"]) if environ.get("HERBOT_SHARD_COUNT") else None
        ids = parse_ids(environ.get("HERBOT_SHARD_IDS"))
        ShardSet.of(count, ids)
    except ValueError as exc:
        raise ConfigError(f"HERBOT_SHARD_COUNT / HERBOT_SHARD_IDS: {exc}") from None
    return count, ids
