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
