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
    assert main(["db", "backup", str(tmp_path / "copy.db"), "--sqlite-copy"]) == 0
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


def test_backup_of_an_unreachable_server_is_one_line(monkeypatch, tmp_path: Path, capsys):
    """It said nothing useful: a traceback from calling is_file() on the URL."""
    monkeypatch.setenv("HERBOT_DATABASE_URL", "postgresql://herbot@127.0.0.1:1/none")
    assert main(["db", "backup", str(tmp_path / "copy.dump")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read postgresql://herbot@127.0.0.1:1/none" in err
    assert not list(tmp_path.glob("*copy.dump*"))
    assert main(["db", "backup", str(tmp_path / "copy.db"), "--sqlite-copy"]) == 2


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
    from types import SimpleNamespace

    import discord

    from bot.app import create_bot

    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    with caplog.at_level(logging.WARNING):
        create_bot(settings_for_bot, SimpleNamespace(metrics=None, runtime={}))  # type: ignore[arg-type]
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


# -- the first hour, polished --------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def test_help_begins_with_a_plain_description(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    description = out.split("\n\n")[1]
    assert "``" not in out  # no reStructuredText from the module docstring
    assert description.startswith("herbot: a Discord bot"), description


def test_debate_history_of_an_empty_database_says_there_are_none(capsys):
    assert main(["debate", "history"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""  # the listing stays empty for scripts reading it
    assert captured.err == "herbot: no debates yet in this database\n"
    assert main(["debate", "history", "--guild", "42"]) == 0
    assert capsys.readouterr().err == "herbot: no debates yet in guild 42\n"


@pytest.mark.sqlite_only  # SQLite's online backup of a file
def test_backup_refuses_to_overwrite_a_file_unless_forced(tmp_path: Path, capsys):
    assert main(["db", "migrate"]) == 0
    target = tmp_path / "copy.db"
    target.write_text("yesterday's notes")
    capsys.readouterr()
    assert main(["db", "backup", str(target)]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"herbot: {target} already exists: pass --force to replace it\n"
    assert "backed up" not in captured.out
    assert target.read_text() == "yesterday's notes"

    assert main(["db", "backup", str(target), "--force", "--sqlite-copy"]) == 0
    assert f"to {target}" in capsys.readouterr().out
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() is not None
    conn.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("copy")] == ["copy.db"]


def _finished_debate(settings) -> str:
    import asyncio

    from tests.debate.test_cli import finished_debate, with_db

    asyncio.run(with_db(settings, finished_debate))
    return str(settings.database)


def test_a_closed_pipe_ends_quietly(settings):
    """`herbot debate results 1 | head -2` ended in a BrokenPipeError traceback."""
    import os
    import subprocess
    import sys

    db = _finished_debate(settings)
    command = [sys.executable, "-m", "bot", "--db", db, "debate", "results", "1"]
    env = {k: v for k, v in os.environ.items() if k != "HERBOT_DB"}
    # The reader is gone before herbot writes a byte: what `head` does, without the race.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            command, stdout=write, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO
        )
    finally:
        os.close(write)
    assert done.stderr == ""
    assert done.returncode == 141  # 128 + SIGPIPE, as a shell reports a command cut short

    shell = subprocess.run(
        ["sh", "-c", " ".join(f"'{part}'" for part in command) + " | head -2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert shell.stdout.splitlines()[0] == "Debate #1: M"
    assert len(shell.stdout.splitlines()) == 2
    assert "Traceback" not in shell.stderr and "BrokenPipe" not in shell.stderr


def test_run_refuses_shards_split_across_processes_on_sqlite(capsys):
    """Several processes need PostgreSQL: a subset of the shards means other processes."""
    assert main(["run", "--shard-count", "2", "--shard-ids", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "several processes" in err and "PostgreSQL" in err and "docs/scaling.md" in err
    # On PostgreSQL the same options pass (refused here only for the missing token).
    url = "postgresql://herbot@127.0.0.1:9/herbot"
    assert main(["run", "--db", url, "--shard-count", "2", "--shard-ids", "0"]) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


def test_run_warns_when_one_sqlite_process_runs_every_shard(capsys, caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="bot.cli"):
        assert main(["run", "--shard-count", "2"]) == 2  # then refused for the token
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "bot.cli"]
    assert "one process runs all 2 shards on SQLite" in warning
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


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
