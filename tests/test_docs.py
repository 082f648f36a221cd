"""What a host reads: the README and docs name today's settings, and their commands parse.

Every ``herbot ...`` line in the hosting and scaling pages' shell blocks (and the service
units' ``ExecStart``) is parsed by the real command line, so a renamed option or a
subcommand that does not exist fails here instead of on a host's server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
HOSTING = ROOT / "docs" / "hosting.md"
SCALING = (ROOT / "docs" / "scaling.md").read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else len(text)]


_INVOKED = re.compile(r"(?:^|bin/)herbot((?: +[^\s'\"#|;&]+)*)")


def _commands(text: str) -> list[list[str]]:
    """``herbot`` invocations (``herbot ...``, ``.../bin/herbot ...``) in the page's shell
    blocks and service units, as argv lists."""
    found = []
    for block in re.findall(r"```(?:bash|ini)\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.replace("$(date +%%F)", "2026-01-31")
            found += [m.group(1).split() for m in _INVOKED.finditer(line)]
    return found


def test_the_settings_key_is_features_everywhere():
    demo = (ROOT / "docs" / "demo.md").read_text(encoding="utf-8")
    for text in (README, demo):
        assert "[bot] extensions" not in text
        assert not re.search(r"\bextensions\b", text)
    assert "`[bot] features`" in _section(README, "### 2. Configure")


def test_the_readme_says_how_to_copy_the_ids_the_cli_asks_for():
    cli = _section(README, "## Command line")
    assert "Developer Mode" in cli and "Copy ID" in cli
    assert "*Copy Server ID*" in cli and "*Copy Channel ID*" in cli


def test_hosting_page_covers_service_logs_backups_restore_and_upgrades():
    assert "(docs/hosting.md)" in README
    text = HOSTING.read_text(encoding="utf-8")
    for heading in ("## The service", "## Logs", "## Backups", "## Restore", "## Upgrading"):
        assert f"\n{heading}\n" in text, heading
    assert "ExecStart=/srv/herbot/.venv/bin/herbot run" in _section(text, "## The service")
    assert "journalctl -u herbot" in _section(text, "## Logs")
    assert "OnCalendar=" in _section(text, "## Backups")
    steps = re.split(r"\n\d\. ", _section(text, "## Upgrading"))[1:]
    expected = {
        "**Back up**": "herbot-backup.service",
        "**Pull**": "git pull",
        "**Install**": "make install",
        "**Migrate**": "herbot db\n   migrate",
        "**Sync**": "herbot sync",
        "**Restart**": "systemctl start herbot",
    }
    assert [step.split(":")[0] for step in steps] == list(expected)
    for step, command in zip(steps, expected.values(), strict=True):
        assert command in step, step


def test_scaling_says_how_to_start_the_server_and_moves_up_into_the_same_database():
    setting_up = _section(SCALING, "## Setting it up")
    assert (
        "pg_ctlcluster 15 main start" in setting_up and "systemctl start postgresql" in setting_up
    )
    assert not re.search(r"^sudo ", setting_up, re.M)  # root, or sudo by the reader's choice
    creates = re.findall(r"^.*createdb.*$", SCALING, re.M)
    assert creates and all("--owner herbot" in line for line in creates if "`" not in line)
    moving = _section(SCALING, "## Moving a community's SQLite database up")
    assert "without `herbot db migrate`" in moving
    assert not re.search(r"^createdb", moving, re.M)


@pytest.mark.parametrize("page", ["hosting.md", "scaling.md"])
def test_every_herbot_command_in_the_page_parses(page):
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    commands = _commands(text)
    assert commands
    parser = build_parser()
    for argv in commands:
        parser.parse_args(argv)  # SystemExit (and a usage line) if the docs are wrong
