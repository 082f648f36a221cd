"""``herbot doctor``: is this install ready to run, and if not, what to do about it.

A host's first questions, answered without starting the bot: do the settings parse and does
every key mean something; is the database there and at the newest migration; are the files
the features ship (the /ask model, its shipped vectors, motions, formats) in place; and, with
a token, does Discord accept it, does the Developer Portal grant the intents herbot asks for,
and does every server give herbot the permissions its features need. Each line is one
finding: ``ok``, ``note`` (worth knowing, nothing to fix) or ``problem`` (what is wrong and
what to do). The exit code is 0 when there is no problem, 1 otherwise.

The core checks what it owns; each feature adds its own findings (``Feature.doctor``) and
declares the settings keys it reads and the permissions it needs (``bot.feature``). The
offline checks need no token and no network; nothing here writes anything (a missing SQLite
file is reported, not created). Online, herbot logs in over REST only: no gateway session,
so a running bot is not disturbed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bot.config import ConfigError, Settings
from bot.feature import Feature, load_feature, load_features
from bot.presentation import plural

if TYPE_CHECKING:
    from discord.http import HTTPClient

log = logging.getLogger(__name__)

Level = Literal["ok", "note", "problem"]
# Discord's application flags for the Message Content intent: granted (verified apps), or
# granted while the app is under 100 servers ("limited"). Either lets the gateway send it.
MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19)
GUILDS_PAGE = 200  # GET /users/@me/guilds returns at most 200 a page


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    subject: str  # "settings", "database", "/ask model", "permissions"
    text: str  # for a problem: what is wrong, then what to do

    def line(self) -> str:
        return f"{self.level:<8} {self.subject}: {self.text}"


def ok(subject: str, text: str) -> Finding:
    return Finding("ok", subject, text)


def note(subject: str, text: str) -> Finding:
    return Finding("note", subject, text)


def problem(subject: str, text: str) -> Finding:
    return Finding("problem", subject, text)


def config_problem(subject: str, load: Any) -> list[Finding]:
    """Run a feature's settings loader; its :class:`ConfigError` is one problem line."""
    try:
        load()
    except ConfigError as exc:
        return [problem(subject, f"{exc}: fix it in the settings file")]
    return []


# -- offline ---------------------------------------------------------------------------------


def _features(settings: Settings) -> tuple[tuple[Feature, ...], list[Finding]]:
    """The configured features that load; one problem per one that does not."""
    found: list[Finding] = []
    loadable = []
    for name in settings.features:
        try:
            load_feature(name)
        except Exception as exc:  # an import error of any kind: the host's to fix
            found.append(
                problem(
                    "settings",
                    f"[bot] features: {name} does not load ({type(exc).__name__}: {exc}): "
                    "fix the name in the settings file, or install what it needs",
                )
            )
        else:
            loadable.append(name)
    return load_features(tuple(loadable)), found


def settings_findings(settings: Settings, features: Sequence[Feature]) -> list[Finding]:
    """Keys nothing reads: a misspelt key is otherwise silently its default."""
    where = str(settings.source or "the settings file")
    found = [
        problem(
            "settings", f"{where}: {key} is not a herbot setting: fix its spelling or remove it"
        )
        for key in settings.unread
    ]
    claimed: dict[str, set[str]] = {}
    for feature in features:
        for table, keys in feature.settings.items():
            claimed.setdefault(table, set()).update(keys)
    for table, values in settings.sections.items():
        if table not in claimed:
            found.append(
                note(
                    "settings",
                    f"{where}: no configured feature reads [{table}] (its feature is not in "
                    "[bot] features): it does nothing",
                )
            )
            continue
        for key in values:
            if key not in claimed[table]:
                found.append(
                    problem(
                        "settings",
                        f"{where}: [{table}] '{key}' is not a herbot setting: fix its spelling "
                        "or remove it",
                    )
                )
    if not found:
        found.append(ok("settings", f"{where} ({plural(len(features), 'feature')})"))
    return found


async def database_findings(settings: Settings) -> list[Finding]:
    """Is the database there, and at the newest migration? Never creates or migrates it."""
    from bot.db import Database, is_url, redacted_url, resolve_target
    from bot.migrations import current, head, history

    target = resolve_target(settings.database)
    shown = redacted_url(target) if is_url(target) else str(target)
    if not is_url(target) and not await asyncio.to_thread(Path(target).exists):
        return [
            note(
                "database",
                f"no database yet at {shown}: `herbot db migrate` (or the first `herbot run`) "
                "creates it",
            )
        ]
    newest, revisions = head(), history()
    try:
        db = await Database.open(target, migrate=False)
    except Exception as exc:
        return [_unreadable(shown, exc)]
    try:
        revision = await current(db)
        if revision is None:
            await db.fetchval("SELECT 1")  # a file that is no database fails here
    except Exception as exc:
        return [_unreadable(shown, exc)]
    finally:
        await db.close()
    if revision == newest:
        return [ok("database", f"{shown} at migration {revision}, the newest")]
    if revision is None:
        return [
            problem(
                "database",
                f"{shown} has no herbot schema: run `herbot db migrate` (or start herbot: it "
                "migrates at start)",
            )
        ]
    if revision not in revisions:
        return [
            problem(
                "database",
                f"{shown} is at migration {revision}, which this herbot does not know (the "
                f"newest it knows is {newest}): a newer herbot wrote it; upgrade herbot, or "
                "restore a backup made with this version",
            )
        ]
    behind = len(revisions) - 1 - revisions.index(revision)
    return [
        problem(
            "database",
            f"{shown} is at migration {revision}, {plural(behind, 'migration')} behind "
            f"{newest}: run `herbot db migrate` (herbot run also migrates at start)",
        )
    ]


def ledger_finding(settings: Settings) -> Finding:
    """The forget ledger a restore re-applies (bot/forget_ledger.py) can be written."""
    from bot.forget_ledger import for_settings

    ledger = for_settings(settings.database, settings.forget_ledger)
    wrong = ledger.problem()
    if wrong is not None:
        return problem(
            "forget ledger",
            f"{wrong}: forget-me could not be recorded outside the database, so a restore "
            "could bring a forgotten member back; fix the permissions or set "
            "HERBOT_FORGET_LEDGER (or [bot] forget_ledger) to a writable path",
        )
    return ok("forget ledger", f"{ledger.path} (a restore forgets its members again)")


def _unreadable(shown: str, exc: Exception) -> Finding:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return problem(
        "database",
        f"cannot read {shown} ({reason}): check the path or HERBOT_DATABASE_URL, that the "
        "server is up and the user may connect",
    )


def intent_findings(settings: Settings, features: Sequence[Feature]) -> list[Finding]:
    """Which parts are off, and why, when herbot runs without Message Content."""
    if settings.message_content:
        return []
    off = [need.what for feature in features for need in feature.message_content]
    if not off:
        return [note("intents", "runs without the Message Content intent; nothing needs it")]
    listed = ", ".join(what.lower() for what in off)
    return [
        note(
            "intents",
            f"runs without the Message Content intent (message_content = false), so these are "
            f"off: {listed}; everything else works",
        )
    ]


# -- online ----------------------------------------------------------------------------------


async def online_findings(settings: Settings, features: Sequence[Feature]) -> list[Finding]:
    """Log in over REST only (no gateway session) and ask Discord about this application."""
    import aiohttp
    import discord

    from bot.app import apply_proxy

    token = settings.token
    if not token:
        return [problem("token", "--online needs DISCORD_TOKEN (in .env or the environment)")]
    apply_proxy(settings)
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        try:
            me = await http.static_login(token.reveal())
        except discord.LoginFailure:
            return [
                problem(
                    "token",
                    "Discord refused DISCORD_TOKEN: copy a new one from the Developer Portal "
                    "→ Bot → Reset Token",
                )
            ]
        except (aiohttp.ClientError, discord.HTTPException, OSError, TimeoutError) as exc:
            return [
                problem(
                    "token",
                    f"could not reach Discord ({exc or type(exc).__name__}): check the network, "
                    "DNS and proxy, and DISCORD_API_BASE if set",
                )
            ]
        if not isinstance(me, dict) or "id" not in me:
            return [
                problem(
                    "token",
                    f"{discord.http.Route.BASE} does not answer as Discord does: check "
                    "DISCORD_API_BASE",
                )
            ]
        found = [ok("token", f"Discord accepts it: {me.get('username', '?')} ({me['id']})")]
        return found + await portal_findings(http, int(me["id"]), settings, features)
    finally:
        await http.close()


async def portal_findings(
    http: HTTPClient, me_id: int, settings: Settings, features: Sequence[Feature]
) -> list[Finding]:
    """The intents the Developer Portal grants, and each server's permissions for herbot.

    ``http`` is discord.py's REST client, logged in (the real one, or simcord's in tests).
    """
    app = await http.application_info()
    found = [_intents_finding(int(app.get("flags") or 0), settings)]
    return found + await _permission_findings(http, me_id, features)


def _intents_finding(flags: int, settings: Settings) -> Finding:
    granted = bool(flags & MESSAGE_CONTENT_FLAGS)
    if settings.message_content and not granted:
        return problem(
            "intents",
            "the Developer Portal does not grant the Message Content intent, which herbot asks "
            "for (message_content = true), so Discord would refuse it at start: turn it on "
            "(Developer Portal → Bot → Privileged Gateway Intents), or set message_content = "
            "false under [bot] (live recording and nominations by reaction are then off)",
        )
    if settings.message_content:
        return ok("intents", "the Developer Portal grants the Message Content intent")
    if granted:
        return note(
            "intents",
            "the Developer Portal grants the Message Content intent, but herbot runs without "
            "it (message_content = false)",
        )
    return ok("intents", "herbot asks for no privileged intent, and needs none")


async def _permission_findings(
    http: HTTPClient, me_id: int, features: Sequence[Feature]
) -> list[Finding]:
    import discord

    from bot.errors import PERMISSION_NAMES

    needed: dict[str, list[str]] = {}  # permission -> the features that need it
    for feature in features:
        for name in feature.permissions:
            needed.setdefault(name, []).append(feature.name)
    found: list[Finding] = []
    servers = 0
    async for guild in _guilds(http):
        servers += 1
        granted = discord.Permissions(await _granted(http, guild, me_id))
        if granted.administrator:
            continue
        missing = [name for name in needed if not getattr(granted, name)]
        if not missing:
            continue
        names = ", ".join(
            str(PERMISSION_NAMES.get(p, p.replace("_", " ").title())) for p in missing
        )
        users = sorted({f for p in missing for f in needed[p]})
        found.append(
            problem(
                "permissions",
                f"server {guild.get('name', '?')} ({guild['id']}): herbot lacks {names} "
                f"(needed by {', '.join(users)}): give them to herbot's role (Server Settings "
                "→ Roles), or invite it again with the URL in README.md",
            )
        )
    if servers == 0:
        return [note("permissions", "herbot is in no server yet: invite it (README.md)")]
    if not found:
        found.append(
            ok(
                "permissions",
                f"every feature's permissions granted in {plural(servers, 'server')} "
                "(server-wide; a channel can still deny one, and the command then says so)",
            )
        )
    return found


async def _guilds(http: HTTPClient) -> Any:
    after: int | None = None
    while True:
        page = await http.get_guilds(GUILDS_PAGE, after=after)
        for guild in page:
            yield guild
        if len(page) < GUILDS_PAGE:
            return
        after = int(page[-1]["id"])


async def _granted(http: HTTPClient, guild: Any, me_id: int) -> int:
    """herbot's server-wide permissions: as Discord lists them with the server, or computed
    from its roles (Discord's own algorithm without channel overwrites)."""
    import discord

    if "permissions" in guild:
        return int(guild["permissions"])
    if guild.get("owner") or str(guild.get("owner_id")) == str(me_id):
        return discord.Permissions.all().value
    guild_id = int(guild["id"])
    member = await http.get_member(guild_id, me_id)
    roles = guild.get("roles") or await http.get_roles(guild_id)
    by_id = {str(r["id"]): int(r["permissions"]) for r in roles}
    value = by_id.get(str(guild_id), 0)  # @everyone's role has the server's id
    for role_id in member.get("roles", ()):
        value |= by_id.get(str(role_id), 0)
    return value


# -- the command -----------------------------------------------------------------------------


async def diagnose(settings: Settings, *, online: bool) -> list[Finding]:
    """Every finding, in the order a host fixes them: settings, files, database, Discord."""
    features, found = _features(settings)
    found += settings_findings(settings, features)
    for feature in features:
        if feature.doctor is not None:
            found += await asyncio.to_thread(feature.doctor, settings)
    found += await database_findings(settings)
    found.append(ledger_finding(settings))
    found += intent_findings(settings, features)
    if online:
        found += await online_findings(settings, features)
    elif settings.token:
        found.append(note("token", "set; Discord not asked (--offline)"))
    else:
        found.append(
            note(
                "token",
                "DISCORD_TOKEN is not set: Discord not asked (herbot run and sync need it)",
            )
        )
    return found


def summary(found: Iterable[Finding]) -> str:
    problems = sum(1 for f in found if f.level == "problem")
    if not problems:
        return "herbot doctor: all good"
    return f"herbot doctor: {plural(problems, 'problem')}"


def exit_code(found: Iterable[Finding]) -> int:
    return 1 if any(f.level == "problem" for f in found) else 0


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    online = args.online if args.online is not None else settings.token is not None
    found = await diagnose(settings, online=online)
    for finding in found:
        print(finding.line())
    print(summary(found))
    return exit_code(found)


def _settings_broken(args: argparse.Namespace, error: ConfigError) -> int:
    """The settings did not load: that is the one problem (the rest needs them)."""
    found = [problem("settings", f"{error}; the other checks need the settings")]
    for finding in found:
        print(finding.line())
    print(summary(found))
    return exit_code(found)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``herbot doctor`` subcommand (bot/cli.py adds it)."""
    p = sub.add_parser(
        "doctor",
        help="check settings, database, shipped files and, with a token, Discord's side",
        description=(
            "Check that this install is ready to run: the settings, the database and its "
            "migrations, the files features ship and, when DISCORD_TOKEN is set, the token, "
            "the intents the Developer Portal grants and each server's permissions. One line "
            "per finding; exit 1 when any is a problem."
        ),
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--online",
        dest="online",
        action="store_true",
        default=None,
        help="ask Discord too (the default when DISCORD_TOKEN is set)",
    )
    mode.add_argument(
        "--offline", dest="online", action="store_false", default=None, help="never ask Discord"
    )
    p.set_defaults(handler=_run, on_config_error=_settings_broken)
