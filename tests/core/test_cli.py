"""The herbot command line: one-line configuration errors, db maintenance."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("HERBOT_DB", str(tmp_path / "cli.db"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read


def test_run_without_token_is_a_one_line_error(capsys: pytest.CaptureFixture[str]):
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "DISCORD_TOKEN is not set" in err


def test_malformed_settings_is_a_one_line_error(tmp_path: Path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot]\nlog_level = 'LOUD'\n")
    assert main(["--settings", str(bad), "db", "migrate"]) == 2
    assert "log_level" in capsys.readouterr().err


@pytest.mark.sqlite_only  # SQLite's online backup of a file
def test_db_migrate_and_backup(tmp_path: Path, capsys):
    assert main(["db", "migrate"]) == 0
    assert "schema at revision" in capsys.readouterr().out
    assert main(["db", "backup", str(tmp_path / "copy.db")]) == 0
    conn = sqlite3.connect(tmp_path / "copy.db")
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() is not None
    conn.close()


# -- rough edges a new user hit (issue 12) ------------------------------------------------------


@pytest.mark.sqlite_only  # checks that the database file was made
def test_options_work_after_the_subcommand(tmp_path: Path, capsys):
    """`herbot run --db X` was refused while `herbot demo --db X` worked."""
    target = tmp_path / "after.db"
    assert main(["db", "migrate", "--db", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    assert target.exists()
    assert main(["run", "--db", str(target)]) == 2  # parsed: refused only for the token
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


def test_backup_without_a_database_creates_nothing(tmp_path: Path, capsys):
    missing = tmp_path / "none.db"
    code = main(["db", "backup", str(tmp_path / "copy.db"), "--db", str(missing)])
    captured = capsys.readouterr()
    assert code == 1
    assert not missing.exists() and not (tmp_path / "copy.db").exists()
    assert captured.err.count("\n") == 1 and "no database" in captured.err
    assert "backed up" not in captured.out


def test_run_without_network_is_one_line(monkeypatch, capsys):
    """A token but no network: one line saying what failed and what to check."""
    import aiohttp

    from bot import app

    async def offline(settings):
        raise aiohttp.ClientConnectorError(
            aiohttp.client_reqrep.ConnectionKey("discord.com", 443, True, None, None, None, None),
            OSError(-3, "Temporary failure in name resolution"),
        )

    monkeypatch.setenv("DISCORD_TOKEN", "x" * 50)
    monkeypatch.setattr(app, "run_bot", offline)
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert "could not reach Discord" in err and "network" in err


def test_run_with_a_rejected_token_is_one_line(monkeypatch, capsys):
    import discord

    from bot import app

    async def rejected(settings):
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setenv("DISCORD_TOKEN", "x" * 50)
    monkeypatch.setattr(app, "run_bot", rejected)
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DISCORD_TOKEN" in err


def test_no_voice_library_warning(monkeypatch, caplog, settings_for_bot):
    """herbot uses no voice: discord.py's missing-PyNaCl/davey warning is noise."""
    import logging

    import discord

    from bot.app import create_bot

    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    with caplog.at_level(logging.WARNING):
        create_bot(settings_for_bot, None)  # type: ignore[arg-type]
    assert not [r for r in caplog.records if "voice" in r.getMessage().lower()]


@pytest.fixture
def settings_for_bot(tmp_path: Path):
    from bot.config import load_settings

    return load_settings(env={"HERBOT_DB": str(tmp_path / "b.db")}, dotenv=False)


def test_cli_ask_prints_no_info_on_stderr(tmp_path: Path):
    """A one-shot command prints its answer; INFO start-up lines are for `run` and `demo`."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "HERBOT_DB": str(tmp_path / "ask.db")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Who voices Samantha?", "--mode", "lexical"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Samantha" in done.stdout
    assert "INFO" not in done.stderr, done.stderr


def test_ready_line_never_says_zero_guilds():
    from bot.app import ready_line

    assert "0 guilds" not in ready_line("herbot#0001", 0)
    assert "no servers yet" in ready_line("herbot#0001", 0)
    assert ready_line("herbot#0001", 2) == "ready as herbot#0001 in 2 servers"


# -- which event loop each command runs on ------------------------------------------------------
# `herbot demo` stopped at once with simcord's "requires asyncio loop capabilities: _scheduled
# timer heap": every command ran on uvloop when speed-ups were on (the default), and simcord
# (the demo) needs the standard library's loop. Only `herbot run` asks for the fast loop.


def _subcommands(parser, prefix: str = ""):
    """``(path, parser)`` for every subcommand, nested ones included."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                path = f"{prefix} {name}".strip()
                yield path, child
                yield from _subcommands(child, path)


def test_only_run_asks_for_the_fast_loop():
    from bot.cli import build_parser

    fast = {path for path, child in _subcommands(build_parser()) if child.get_default("fast_loop")}
    assert fast == {"run"}


def _loop_seen_by(monkeypatch, argv: list[str], *, speedups: str | None) -> type:
    """Run ``herbot ARGV`` with its work replaced by a probe; the loop class it ran on."""
    from bot import app, cli

    seen: list[type] = []

    async def probe(*_args):
        import asyncio

        seen.append(type(asyncio.get_running_loop()))
        return 0

    if speedups is None:
        monkeypatch.delenv("HERBOT_SPEEDUPS", raising=False)
    else:
        monkeypatch.setenv("HERBOT_SPEEDUPS", speedups)
    monkeypatch.setenv("DISCORD_TOKEN", "x" * 50)
    monkeypatch.setattr(app, "run_bot", probe)
    monkeypatch.setattr(cli, "_db_migrate", probe)
    assert main(argv) == 0
    assert len(seen) == 1
    return seen[0]


def test_one_shot_commands_run_on_the_standard_loop_with_speedups_on(monkeypatch):
    import asyncio

    assert issubclass(
        _loop_seen_by(monkeypatch, ["db", "migrate"], speedups=None), asyncio.BaseEventLoop
    )


def test_run_keeps_uvloop_when_speedups_are_on(monkeypatch):
    import asyncio

    uvloop = pytest.importorskip("uvloop")
    assert _loop_seen_by(monkeypatch, ["run"], speedups=None) is uvloop.Loop
    assert issubclass(_loop_seen_by(monkeypatch, ["run"], speedups="0"), asyncio.BaseEventLoop)
