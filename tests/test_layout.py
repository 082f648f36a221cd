"""The house rules that keep the layout honest (see docs/architecture.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEATURES = sorted(p for p in (ROOT / "cogs").iterdir() if (p / "__init__.py").exists())
ADAPTER = re.compile(r"^(cog|ui|.+_cog|.+_ui|__init__)\.py$")


def _python(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _imported_names(path: Path) -> set[str]:
    """What a module imports, in full: ``from a.b import c`` is ``a.b.c``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_only_the_core_commits_or_rolls_back():
    offenders = [
        _rel(p)
        for folder in ("cogs", "demo")
        for p in _python(ROOT / folder)
        if re.search(r"\.(commit|rollback)\(\)", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_core_names_no_feature():
    offenders = [
        _rel(p)
        for p in _python(ROOT / "bot")
        if any(n == "cogs" or n.startswith(("cogs.", "demo")) for n in _imports(p))
        or re.search(r"[\"']cogs\.[a-z_]+", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_domain_modules_import_no_discord():
    offenders = [
        _rel(p)
        for feature in FEATURES
        for p in _python(feature)
        if not ADAPTER.match(p.name)
        and any(n == "discord" or n.startswith("discord.") for n in _imports(p))
    ]
    assert offenders == [], "discord belongs in cog.py/*_cog.py or ui.py/*_ui.py"


def test_ui_modules_never_import_a_cog():
    offenders = [
        f"{_rel(p)} imports {n}"
        for feature in FEATURES
        for p in _python(feature)
        if re.match(r"^(ui|.+_ui)\.py$", p.name)
        for n in _imports(p)
        if re.search(r"(^|\.)(cog|[a-z]+_cog)($|\.)", n)
    ]
    assert offenders == []


def test_a_feature_reaches_another_only_through_its_service():
    offenders = []
    for feature in FEATURES:
        for p in _python(feature):
            for n in _imported_names(p):
                other = re.match(r"^cogs\.([a-z_]+)(\.[a-z_]+)?", n)
                if other and other.group(1) != feature.name and other.group(2) != ".service":
                    offenders.append(f"{_rel(p)} imports {n}")
    assert offenders == []


def test_each_feature_exports_its_feature_object_and_nothing_else():
    from bot.feature import Feature, load_feature

    for feature in FEATURES:
        module = f"cogs.{feature.name}"
        assert isinstance(load_feature(module), Feature)
        tree = ast.parse((feature / "__init__.py").read_text(encoding="utf-8"))
        public = {
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name) and not t.id.startswith("_")
        } | {
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and not node.name.startswith("_")
        }
        assert public == {"feature"}, f"{module} exports {sorted(public)}"


def test_every_persistent_component_is_spelled_once():
    """A DynamicItem is a bot.components.Persistent: its custom id, template and prefix come
    from one spelling, and its clicks reach the handler its cog registered."""
    offenders = [
        _rel(p)
        for feature in FEATURES
        for p in _python(feature)
        if re.search(r"DynamicItem\[", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_ui_modules_never_find_a_cog_by_name():
    """A click reaches its registered handler, a modal the cog that opened it."""
    offenders = [
        _rel(p)
        for feature in FEATURES
        for p in _python(feature)
        if re.match(r"^(ui|.+_ui)\.py$", p.name) and "get_cog(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


# --- the rooms of quotes and threads (docs/architecture.md) ---------------------------------

ROOMS = {
    "cogs/quotes/ask": ("cog.py", "ui.py", "cli.py", "answer.py", "hybrid.py"),
    "cogs/threads/recording": ("cog.py", "ui.py", "store.py", "recorder.py"),
    "cogs/threads/transcripts": ("cog.py", "ui.py", "store.py", "search.py", "cli.py"),
}
GONE = (
    "cogs/quotes/store.py",
    "cogs/quotes/retrieval",
    "cogs/quotes/ask_cog.py",
    "cogs/threads/cog.py",
    "cogs/threads/store.py",
)
STORE = re.compile(r"^(store|.+_store)\.py$")
SQL = re.compile(r"^\s*(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+)")
WRITE_SQL = re.compile(r"^\s*(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\s")
# Readers that are not called stores, each for a reason: /ask's engine reads the quotes by
# its own jobs (vectors, keyword ranking, passages, sessions), transcript search is the one
# engine-specific query, the exporters read on a worker thread's own sqlite3 connection.
SQL_READERS = {
    "cogs/quotes/ask/dense.py",
    "cogs/quotes/ask/lexical.py",
    "cogs/quotes/ask/passages.py",
    "cogs/quotes/ask/sessions.py",
    "cogs/threads/transcripts/search.py",
    "cogs/threads/transcripts/exporters/__init__.py",
}
# Pure domain the contract names: rules and values, no discord, no SQL, no database.
PURE = (
    "cogs/quotes/qotd.py",
    "cogs/quotes/nominations.py",
    "cogs/quotes/quote.py",
    "cogs/quotes/citation.py",
    "cogs/quotes/message_link.py",
    "cogs/quotes/ask/answerability.py",
    "cogs/quotes/ask/gaps.py",
    "cogs/quotes/ask/gaps_export.py",
    "cogs/threads/records.py",
)


def _strings(node: ast.AST) -> list[str]:
    found = []
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            found.append(n.value)
        elif isinstance(n, ast.JoinedStr):
            found.append("".join(v.value for v in n.values if isinstance(v, ast.Constant)))
    return found


def _holds_sql(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(SQL.match(s) for s in _strings(tree))


def test_the_rooms_of_quotes_and_threads_hold_their_rooms():
    missing = [f"{room}/{name}" for room, names in ROOMS.items() for name in names]
    missing = [m for m in missing if not (ROOT / m).exists()]
    assert missing == []
    assert [g for g in GONE if (ROOT / g).exists()] == []
    for mirror in ("tests/quotes/ask", "tests/threads/recording", "tests/threads/transcripts"):
        assert list((ROOT / mirror).glob("test_*.py")), f"{mirror} mirrors its room"


def test_no_feature_imports_sqlalchemy():
    """Every query goes through bot/db.py: its transaction, its dialect switch."""
    offenders = [
        _rel(p)
        for feature in FEATURES
        for p in _python(feature)
        if any(n == "sqlalchemy" or n.startswith("sqlalchemy.") for n in _imports(p))
    ]
    assert offenders == []


def test_pure_modules_import_neither_discord_nor_the_database():
    offenders = [
        f"{path} imports {n}"
        for path in PURE
        for n in _imports(ROOT / path)
        if n.split(".")[0] in {"discord", "sqlalchemy", "sqlite3", "aiosqlite", "asyncpg"}
        or n.startswith("bot.db")
    ]
    offenders += [f"{path} holds SQL" for path in PURE if _holds_sql(ROOT / path)]
    assert offenders == []


def test_sql_lives_in_the_stores_of_quotes_and_threads():
    offenders = [
        _rel(p)
        for folder in ("quotes", "threads")
        for p in _python(ROOT / "cogs" / folder)
        if not STORE.match(p.name) and _rel(p) not in SQL_READERS and _holds_sql(p)
    ]
    assert offenders == [], "SQL belongs in store.py / *_store.py"


def test_stores_take_the_transaction_they_write_in():
    """A store never opens a transaction; a function that writes takes one (bot/db.py owns
    them, the caller decides what commits together)."""
    offenders = []
    for feature in FEATURES:
        for p in _python(feature):
            if not STORE.match(p.name):
                continue
            text = p.read_text(encoding="utf-8")
            if ".transaction(" in text:
                offenders.append(f"{_rel(p)} opens a transaction")
            for node in ast.walk(ast.parse(text)):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if not any(WRITE_SQL.search(s) for s in _strings(node)):
                    continue
                params = node.args.posonlyargs + node.args.args
                first = params[0].annotation if params else None
                if first is None or ast.unparse(first) != "Transaction":
                    offenders.append(f"{_rel(p)}:{node.lineno} {node.name} writes without tx")
    assert offenders == []


def test_ui_modules_take_their_collaborators():
    """No ui module of quotes or threads names a cog class: what a click needs is passed in
    (the registered handler, the cog given to a modal as a typed collaborator)."""
    offenders = [
        _rel(p)
        for folder in ("quotes", "threads")
        for p in _python(ROOT / "cogs" / folder)
        if re.match(r"^(ui|.+_ui)\.py$", p.name)
        and re.search(r"get_cog\(|bot\.cogs\[", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
