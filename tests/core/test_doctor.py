"""``herbot doctor``: one line per problem with what to do; exit 0 when all is good.

Offline as a CLI process, as a host runs it (a fresh database; a broken setting; a database
behind the newest migration); online through simcord (the Developer Portal's intents and
each server's permissions, asked through the bot's own REST client) and, as a process,
against a loopback stand-in for Discord's REST API (the token accepted or refused).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import discord
import pytest
from aiohttp import web

from bot import doctor
from bot.config import Settings
from bot.migrations import head, history
from tests import engines

ROOT = Path(__file__).resolve().parents[2]
HERBOT = Path(sys.executable).with_name("herbot")
SETTINGS = ROOT / "herbot_config" / "settings.toml"
MESSAGE_CONTENT = 1 << 18  # the application flag: Message Content granted


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "HERBOT_"))}
    env["HERBOT_DB"] = str(tmp_path / "herbot.db")
    if engines.enabled():
        env["HERBOT_DATABASE_URL"] = engines.database_for(tmp_path / "herbot.db")
    env.update(extra)
    return env


def _doctor(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HERBOT), "doctor", *args],
        cwd=tmp_path,  # no stray .env
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _migrate(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(HERBOT), "db", "migrate"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _problems(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("problem")]


def _settings_with(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = SETTINGS.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_fresh_install_is_all_good_offline(tmp_path: Path):
    _migrate(tmp_path)
    done = _doctor(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "herbot doctor: all good"
    assert _problems(done.stdout) == []
    assert any(f"at migration {head()}, the newest" in line for line in lines), lines
    assert any(line.startswith("ok       /ask model: all-MiniLM-L6-v2") for line in lines)
    assert any(line.startswith("ok       /ask vectors: the shipped vectors fit") for line in lines)
    assert "note     token: DISCORD_TOKEN is not set" in done.stdout
    assert done.stderr == ""


def test_the_forget_ledger_must_be_a_ledger_herbot_can_write(tmp_path: Path):
    _migrate(tmp_path)
    ledger = tmp_path / "notes.txt"
    assert "ok       forget ledger: " in _doctor(tmp_path, HERBOT_FORGET_LEDGER=str(ledger)).stdout
    assert not ledger.exists()  # the doctor creates nothing
    ledger.write_text("my notes\n")
    done = _doctor(tmp_path, HERBOT_FORGET_LEDGER=str(ledger))
    assert done.returncode == 1
    (line,) = _problems(done.stdout)
    assert line.startswith("problem  forget ledger: ") and "HERBOT_FORGET_LEDGER" in line


@pytest.mark.sqlite_only  # a file that is not there yet
def test_no_database_yet_is_a_note_not_a_problem(tmp_path: Path):
    done = _doctor(tmp_path)
    assert done.returncode == 0, done.stdout
    assert "note     database: no database yet at" in done.stdout
    assert not (tmp_path / "herbot.db").exists()  # the doctor creates nothing


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (('log_level = "INFO"', 'log_level = "LOUD"'), "'log_level' must be DEBUG, INFO"),
        (("speedups = true", "speedups = true\nmesage_content = false"), "'mesage_content'"),
        (("max_batch = 2000", "max_bach = 2000"), "[threads] 'max_bach' is not a herbot setting"),
        (("poll_default_hours = 24", "poll_default_hours = -1"), "'poll_default_hours' must be"),
        (('motions_file = "motions.toml"', 'motions_file = "nope.toml"'), "nope.toml"),
    ],
    ids=["unparsable-value", "unknown-bot-key", "unknown-feature-key", "bad-value", "no-file"],
)
def test_a_broken_setting_is_one_line(tmp_path: Path, edit: tuple[str, str], says: str):
    settings = _settings_with(tmp_path, edit)
    done = _doctor(tmp_path, "--settings", str(settings))
    assert done.returncode == 1, done.stdout
    (line,) = _problems(done.stdout)
    assert line.startswith("problem  settings: ") and says in line, line
    assert done.stdout.splitlines()[-1] == "herbot doctor: 1 problem"


@pytest.mark.slow
def test_a_database_behind_the_newest_migration_is_one_line(tmp_path: Path):
    _migrate(tmp_path)
    set_old = "UPDATE alembic_version SET version_num = '0045'"
    if engines.enabled():
        import asyncpg

        async def stamp() -> None:
            conn = await asyncpg.connect(_env(tmp_path)["HERBOT_DATABASE_URL"])
            await conn.execute(set_old)
            await conn.close()

        asyncio.run(stamp())
    else:
        import sqlite3

        with sqlite3.connect(tmp_path / "herbot.db") as conn:
            conn.execute(set_old)
    done = _doctor(tmp_path)
    assert done.returncode == 1, done.stdout
    (line,) = _problems(done.stdout)
    assert line.startswith("problem  database: ")
    behind = len(history()) - 1 - history().index("0045")
    assert f"is at migration 0045, {behind} migrations behind {head()}" in line
    assert "run `herbot db migrate`" in line


@pytest.mark.slow
def test_without_the_intent_it_says_what_is_off(tmp_path: Path):
    _migrate(tmp_path)
    done = _doctor(tmp_path, HERBOT_MESSAGE_CONTENT="0")
    assert done.returncode == 0, done.stdout
    (line,) = [line for line in done.stdout.splitlines() if " intents: " in line]
    assert line.startswith("note     intents: runs without the Message Content intent")
    assert "off: nominations by reaction, live recording; everything else works" in line


# -- online, through simcord ------------------------------------------------------------------


def _without(world, *names: str) -> None:
    """Take ``names`` from every role herbot has in the server (and from @everyone)."""
    me = world.bot.get_guild(world.guild.id).me
    mask = discord.Permissions(**dict.fromkeys(names, True)).value
    for role in me.roles:
        world.env.backend.edit_role(
            world.guild.id, role.id, {"permissions": role.permissions.value & ~mask}
        )


async def test_online_the_portal_and_each_servers_permissions(world, settings: Settings):
    found = await doctor.portal_findings(
        world.bot.http, world.bot.user.id, settings, world.bot.features
    )
    # simcord's application has no privileged intent granted, and herbot asks for one.
    (intents,) = [f for f in found if f.subject == "intents"]
    assert intents.level == "problem"
    assert "does not grant the Message Content intent" in intents.text
    assert "set message_content = false" in intents.text
    (permissions,) = [f for f in found if f.subject == "permissions"]
    assert permissions.level == "ok" and "granted in 1 server" in permissions.text

    _without(world, "create_events", "manage_events", "send_polls")
    other = world.env.create_guild("Second server")
    found = await doctor.portal_findings(
        world.bot.http, world.bot.user.id, settings, world.bot.features
    )
    (line,) = [f.line() for f in found if f.subject == "permissions"]
    assert line == (
        f"problem  permissions: server Her fans ({world.guild.id}): herbot lacks Create Polls, "
        "Create Events, Manage Events (needed by debate, polls): give them to herbot's role "
        "(Server Settings → Roles), or invite it again with the URL in README.md"
    )
    assert str(other.id) not in line  # the other server grants everything


async def test_online_without_the_intent_nothing_privileged_is_asked(world, settings: Settings):
    from dataclasses import replace

    off = replace(settings, message_content=False)
    found = await doctor.portal_findings(world.bot.http, world.bot.user.id, off, world.bot.features)
    assert [f.line() for f in found if f.subject == "intents"] == [
        "ok       intents: herbot asks for no privileged intent, and needs none"
    ]
    assert doctor.exit_code(found) == 0


# -- online, as a process against a loopback REST API -----------------------------------------


def _json(data: object, status: int = 200) -> web.Response:
    # Discord's exact content type: discord.py parses a body as JSON only under this one.
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})


async def _fake_discord(flags: int, *, token: str) -> tuple[web.AppRunner, str]:
    me = {"id": "900", "username": "herbot", "discriminator": "0", "avatar": None, "bot": True}
    guilds = [
        {"id": "100", "name": "All set", "permissions": str(discord.Permissions.all().value)},
        {"id": "200", "name": "Strict", "permissions": str(discord.Permissions.text().value)},
    ]

    async def rest(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {token}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        tail = request.match_info["tail"]
        if tail == "users/@me":
            return _json(me)
        if tail == "oauth2/applications/@me":
            return _json({"id": "900", "name": "herbot", "flags": flags, "bot": me})
        if tail == "users/@me/guilds":
            return _json(guilds)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    app = web.Application()
    app.router.add_route("*", "/api/v10/{tail:.*}", rest)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/v10"


async def _doctor_process(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        str(HERBOT),
        "doctor",
        *args,
        cwd=tmp_path,
        env=_env(tmp_path, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


@pytest.mark.slow
async def test_online_as_a_process_token_intents_and_permissions(tmp_path: Path):
    await asyncio.to_thread(_migrate, tmp_path)
    runner, base = await _fake_discord(MESSAGE_CONTENT, token="good")
    try:
        code, out = await _doctor_process(tmp_path, DISCORD_TOKEN="good", DISCORD_API_BASE=base)
        assert code == 1, out
        assert "ok       token: Discord accepts it: herbot (900)" in out
        assert "ok       intents: the Developer Portal grants the Message Content intent" in out
        (line,) = _problems(out)
        assert line.startswith(
            "problem  permissions: server Strict (200): herbot lacks View Channel, Create "
            "Events, Manage Events, Mute Members (needed by debate, polls, quotes, threads): "
        )

        code, out = await _doctor_process(tmp_path, DISCORD_TOKEN="bad", DISCORD_API_BASE=base)
        assert code == 1, out
        assert _problems(out) == [
            "problem  token: Discord refused DISCORD_TOKEN: copy a new one from the Developer "
            "Portal → Bot → Reset Token"
        ]

        code, out = await _doctor_process(
            tmp_path, "--offline", DISCORD_TOKEN="bad", DISCORD_API_BASE=base
        )
        assert code == 0, out
        assert "note     token: set; Discord not asked (--offline)" in out
    finally:
        await runner.cleanup()


def test_the_features_permissions_are_the_invite_urls():
    """What `herbot doctor` asks of each server is what README's invite grants, no more."""
    from bot.config import load_settings
    from bot.feature import load_features

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    features = load_features(load_settings(dotenv=False).features)
    needed = {name for feature in features for name in feature.permissions}
    value = discord.Permissions(**dict.fromkeys(needed, True)).value
    assert f"The permissions integer for all of them is `{value}`" in readme
