"""User text at the edge: one cleaning step before any parser, tokenizer or database sees it.

Discord text is Unicode a member typed; some of what arrives cannot mean anything there and
breaks what comes after it:

- NUL and the other control characters (SQLite's ``length()`` stops at a NUL, so a CHECK on
  the length fails or passes for the wrong reason; terminals and CSV readers misbehave);
- lone UTF-16 surrogates (valid in a JSON escape, invalid in UTF-8: the tokenizer, the
  encoder, SQLite and every file export raise on them);
- sizes beyond Discord's own limits (nothing Discord sends is longer than 6,000 characters,
  so anything longer is a forged or broken payload and is cut before a regex runs on it).

:func:`clean` fixes one string; :func:`clean_payload` walks a gateway payload and is applied
by the bot to every interaction and message event before discord.py parses it
(:func:`install`), so commands, autocomplete, modals, context menus and the messages the bot
records all get the same text. Files go through :func:`decode_file` and
:func:`clean_payload`. Text is put in NFC (composed) form so the same word typed two ways
matches; compatibility forms (``²``, ``ﬁ``) are kept as typed, since they are not digits or
letters a parser should accept.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: Discord's longest text anywhere (a string option); message content is at most 4,000.
MAX_TEXT = 6000

#: How deep a payload or an imported file may nest; Discord's own payloads stay under 10.
MAX_DEPTH = 32

# C0 and C1 controls except tab and newline; DEL. Carriage returns become newlines first.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"

#: The gateway events that carry text a member wrote.
TEXT_EVENTS = ("INTERACTION_CREATE", "MESSAGE_CREATE", "MESSAGE_UPDATE")


def clean(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` as Discord could mean it: bounded, without controls or lone surrogates, NFC.

    Linear in ``limit`` whatever ``text`` holds: it is cut first, then cleaned.
    """
    if len(text) > limit:
        text = text[:limit]
    if text.isascii():
        if text.isprintable():
            return text
        return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _SURROGATE.sub(REPLACEMENT, text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)[:limit]
    return text


def is_blank(text: str) -> bool:
    """True when ``text`` shows nothing: empty, spaces, or only invisible format characters."""
    return not any(
        not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Mn") for ch in text
    )


#: The largest id SQLite's INTEGER holds; Discord ids are far below it until about 2084.
MAX_SNOWFLAKE = (1 << 63) - 1


def is_snowflake(text: str) -> bool:
    """True for ASCII digits naming a possible Discord id (``"²".isdigit()`` is True too)."""
    return text.isascii() and text.isdigit() and len(text) <= 20 and int(text) <= MAX_SNOWFLAKE


class TooDeep(ValueError):
    """A payload or file nests deeper than :data:`MAX_DEPTH`."""


def clean_payload(value: Any, limit: int = MAX_TEXT, depth: int = 0) -> Any:
    """``value`` with every string in it cleaned (dict keys too); lists and dicts in place.

    Raises :class:`TooDeep` beyond :data:`MAX_DEPTH` levels, so no recursion is unbounded.
    """
    if isinstance(value, str):
        return clean(value, limit)
    if depth > MAX_DEPTH:
        raise TooDeep(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        items = [(clean_payload(k, limit, depth + 1), v) for k, v in value.items()]
        value.clear()
        for key, item in items:
            value[key] = clean_payload(item, limit, depth + 1)
        return value
    if isinstance(value, list):
        value[:] = [clean_payload(item, limit, depth + 1) for item in value]
        return value
    return value


class UndecodableFile(ValueError):
    """A file is not UTF-8 text."""


def decode_file(raw: bytes, limit: int) -> str:
    """The text of an uploaded file: UTF-8 (a BOM is allowed), at most ``limit`` bytes.

    The caller refuses larger files first; this checks again so nothing decodes more.
    """
    if len(raw) > limit:
        raise UndecodableFile(f"it is larger than {limit // 1_000_000} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UndecodableFile(
            f"it is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8"
        ) from None
    return text


def _cleaning(parser: Callable[[Any], None]) -> Callable[[Any], None]:
    def parse(data: Any) -> None:
        try:
            clean_payload(data)
        except TooDeep:  # no Discord payload nests this deep: drop it rather than parse it
            log.warning("dropped a gateway payload nested deeper than %d levels", MAX_DEPTH)
            return
        parser(data)

    parse.__wrapped__ = parser  # type: ignore[attr-defined]
    return parse


def install(parsers: dict[str, Callable[[Any], None]]) -> None:
    """Clean every text-carrying gateway event before discord.py parses it.

    ``parsers`` is discord.py's table of event parsers (``ConnectionState.parsers``), which
    both the gateway and simcord look events up in; wrapping its entries is the one place
    every command option, modal field and message passes through.
    """
    for event in TEXT_EVENTS:
        parser = parsers.get(event)
        if parser is not None and not hasattr(parser, "__wrapped__"):
            parsers[event] = _cleaning(parser)
