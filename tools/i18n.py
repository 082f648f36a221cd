"""Extract every text herbot shows into bot/locales/herbot.pot, and check the catalogs.

    python -m tools.i18n extract   # writes bot/locales/herbot.pot (make i18n, then pybabel update)
    python -m tools.i18n check     # exit 1 if the .pot or any .po is stale, fuzzy or incomplete

Two sources make the template:

* the code, through Babel's own extractor (what ``pybabel extract`` runs) with babel.cfg's
  mapping and :data:`KEYWORDS`: ``_``, ``translate``, ``say``… (bot/i18n.py, bot/translator.py);
* what exists only once the bot is built: every command, group, option and choice name and
  description of the CommandTree (the strings discord.py hands the translator at sync, under
  bot/translator.py's contexts), the features' titles, the settings' descriptions, the
  privacy count labels and bot/privacy.py's remains() texts.

The bot is built on the shipped settings and a throwaway SQLite file; nothing connects.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "bot" / "locales"
TEMPLATE = LOCALES / "herbot.pot"
MAPPING = ROOT / "babel.cfg"
# The lookups that mark a message in code, with the arguments that hold it (Babel's spec).
KEYWORDS: dict[str, Any] = {
    "_": None,
    "_n": (1, 2),
    "translate": None,
    "ntranslate": (1, 2),
    "for_member": (2,),
    "nfor_member": (2, 3),
    "for_server": (2,),
}
Key = tuple[str | tuple[str, str], str | None]  # (msgid or (singular, plural), msgctxt)


def code_messages() -> Iterator[tuple[Key, str]]:
    with MAPPING.open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    for filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = tuple(message) if isinstance(message, tuple | list) else message
        if isinstance(msgid, tuple):
            msgid = (msgid[0], msgid[1])
        yield (msgid, context), filename


async def built_messages() -> list[tuple[Key, str]]:
    """What the built bot holds: its command tree and the data the core defines."""
    from discord import app_commands

    from bot import guild_settings, privacy
    from bot.app import create_bot
    from bot.config import load_settings
    from bot.prepare import prepare_database
    from bot.translator import CONTEXTS
    from cogs.admin import cog as admin_cog
    from cogs.admin import help as help_
    from cogs.admin import privacy_cog

    where = app_commands.TranslationContextLocation
    name_ctx, desc_ctx = CONTEXTS[where.command_name], CONTEXTS[where.command_description]
    option_ctx = CONTEXTS[where.parameter_name]
    option_desc_ctx = CONTEXTS[where.parameter_description]
    choice_ctx = CONTEXTS[where.choice_name]
    found: list[tuple[Key, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {"HERBOT_DB": str(Path(tmp) / "herbot.db")}
        settings = replace(load_settings(env=env, dotenv=False), token=None)
        db = await prepare_database(settings)
        try:
            bot = create_bot(settings, db)
            for feature in bot.features:
                await feature.setup(bot)
            bot.scheduler.stop()
            for command in bot.tree.walk_commands():
                path = "/" + command.qualified_name
                found.append(((command.name, name_ctx), path))
                found.append(((command.description, desc_ctx), path))
                if isinstance(command, app_commands.Command):
                    for param in command.parameters:
                        found.append(((param.display_name, option_ctx), path))
                        found.append(((param.description, option_desc_ctx), path))
                        for choice in param.choices:
                            found.append(((choice.name, choice_ctx), path))
            for menu in bot.tree.get_commands():
                if isinstance(menu, app_commands.ContextMenu):
                    found.append(((menu.name, name_ctx), "context menu"))
            for feature in bot.features:
                title = help_.section_title(feature.description)
                found.append(((title, admin_cog.FEATURE_TITLE), "/help"))
            for key in guild_settings.KEYS.values():
                found.append(((key.description, admin_cog.SETTING), "/settings " + key.name))
                found.append(((key.unset, admin_cog.SETTING), "/settings " + key.name))
            # No such member: every feature reports its labels, all zero (on a connection of
            # its own: the bot's announces cache changes to a client that is not running).
            nobody = 1
            quiet = await prepare_database(settings)
            try:
                labels = set(await privacy.status(quiet, bot.features, nobody))
                scopes: tuple[privacy.Scope, ...] = ("record", "quote")
                labels |= set(await privacy.opt_out(quiet, bot.features, nobody, scopes))
                labels |= set(await privacy.forget(quiet, bot.features, nobody))
            finally:
                await quiet.close()
            for label in sorted(labels):
                found.append((((label, label), privacy_cog.COUNT), "/privacy"))
            for dialect in ("sqlite", "postgresql"):
                text = privacy.remains(SimpleNamespace(dialect=dialect))  # type: ignore[arg-type]
                found.append(((text, privacy_cog.REMAINS), "/privacy forget-me"))
        finally:
            await db.close()
    return found


def template(messages: list[tuple[Key, str]]) -> Catalog:
    pot = Catalog(project="herbot", domain="herbot", fuzzy=False)
    for (msgid, context), where in messages:
        existing = pot.get(msgid, context)
        if existing is not None:
            more = where.startswith("/") and len(existing.auto_comments) < 3
            if more and where not in existing.auto_comments:
                existing.auto_comments.append(where)
            continue
        comments = [where] if where.startswith("/") or where == "context menu" else []
        pot.add(msgid, context=context, auto_comments=comments)
    return pot


def keys(catalog: Catalog) -> set[Key]:
    return {(m.id, m.context) for m in catalog if m.id}


async def build() -> Catalog:
    # Quiet while the bot is built (the features' timers never run here), and only then: the
    # tests call this in the process that runs the rest of the suite.
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            messages = list(code_messages()) + await built_messages()
    finally:
        logging.disable(logging.NOTSET)
    return template(messages)


def write(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def problems(fresh: Catalog) -> list[str]:
    """What is stale: the template against the code, each catalog against the template."""
    out: list[str] = []
    want = keys(fresh)
    if not TEMPLATE.is_file():
        return [f"{TEMPLATE.relative_to(ROOT)} is missing: run `make i18n`"]
    have = keys(read(TEMPLATE))
    for key in sorted(want - have, key=str):
        out.append(f"herbot.pot lacks {key!r}: run `make i18n`")
    for key in sorted(have - want, key=str):
        out.append(f"herbot.pot has {key!r}, which nothing uses any more: run `make i18n`")
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/herbot.po")):
        name = po.parent.parent.name
        catalog = read(po, name)
        got = keys(catalog)
        for key in sorted(want - got, key=str):
            out.append(f"{name}: no entry for {key!r}")
        for key in sorted(got - want, key=str):
            out.append(f"{name}: unused entry {key!r}")
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                out.append(f"{name}: fuzzy entry {message.id!r}")
            elif not all(strings):
                out.append(f"{name}: untranslated {message.id!r}")
    return out


def _same(old: Catalog, new: Catalog) -> bool:
    """The same messages with the same comments (the header's dates aside)."""

    def entries(catalog: Catalog) -> set[tuple[Key, tuple[str, ...]]]:
        return {((m.id, m.context), tuple(m.auto_comments)) for m in catalog if m.id}

    return entries(old) == entries(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.i18n", description=__doc__)
    parser.add_argument("action", choices=("extract", "check"))
    args = parser.parse_args(argv)
    fresh = asyncio.run(build())
    if args.action == "extract":
        if TEMPLATE.is_file() and _same(read(TEMPLATE), fresh):
            print(f"{TEMPLATE.relative_to(ROOT)} is up to date: {len(keys(fresh))} messages")
            return 0  # unchanged: its creation date stays, so pybabel update changes nothing
        write(fresh, TEMPLATE)
        print(f"wrote {TEMPLATE.relative_to(ROOT)}: {len(keys(fresh))} messages")
        return 0
    found = problems(fresh)
    for line in found:
        print(line)
    if found:
        print(f"catalogs are stale ({len(found)} problems): run `make i18n` and translate")
        return 1
    print(f"catalogs are up to date: {len(keys(fresh))} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
