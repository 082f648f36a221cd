"""One lookup for every text herbot shows: gettext catalogs read with Babel, by locale.

The catalogs are ``bot/locales/<locale>/LC_MESSAGES/herbot.po`` (package data; English is the
source, so it has none). They are read as they are, with :func:`babel.messages.pofile.read_po`,
the first time a locale is asked for: no compiled ``.mo`` file exists to go stale, and a
wheel carries the ``.po`` files it was built from (docs/translating.md).

:func:`translate` looks a message up in the first of the locales it is given that translates
it (a member's, then the server's), then falls back to English, the message itself. Discord
locales map to catalogs by :data:`CATALOG_OF` (``es-419`` reads ``es_ES``; ``en-US`` and
``en-GB`` are English). Placeholders are ``{name}`` fields; a number or a datetime passed as
one is written the locale's way by Babel, and plural forms come from the catalog's own rule.

Code marks a message for extraction by calling :func:`translate`, :func:`ntranslate`, or
:func:`_` (a :class:`Text` rendered later, for refusals raised far from the interaction).
"""

from __future__ import annotations

import functools
import gettext
import logging
import string
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale as BabelLocale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "herbot"
SOURCE = "en"
# The locales herbot ships, by Discord's name (the keys of name_localizations).
DISCORD_LOCALES = ("fr", "es-ES", "es-419", "pt-BR", "de", "ja")
# Discord locale -> catalog directory (Babel's identifiers). Anything else reads English.
CATALOG_OF: dict[str, str] = {
    "fr": "fr",
    "es-ES": "es_ES",
    "es-419": "es_ES",  # Latin America shares Spain's catalog
    "pt-BR": "pt_BR",
    "de": "de",
    "ja": "ja",
}
CATALOGS = tuple(dict.fromkeys(CATALOG_OF.values()))

LocaleLike = str | None


@functools.cache
def catalog(name: str) -> Catalog | None:
    """The catalog ``name`` (``"fr"``, ``"pt_BR"``), read once; None when there is none."""
    path = LOCALE_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=name, domain=DOMAIN)


@functools.cache
def _plural_rule(name: str) -> Callable[[int], int]:
    found = catalog(name)
    expr = found.plural_expr if found is not None else "(n != 1)"
    return gettext.c2py(expr)


def catalog_name(locale: LocaleLike) -> str | None:
    """The catalog a Discord locale reads (``"es-419"`` → ``"es_ES"``); None for English."""
    if not locale:
        return None
    key = str(locale)
    if key in CATALOG_OF:
        return CATALOG_OF[key]
    base = key.split("-", 1)[0]
    return CATALOG_OF.get(base)


def chain(locales: LocaleLike | Iterable[LocaleLike]) -> list[str]:
    """The catalogs to try, in order, for a locale or ``(member, server)``; English after.

    A locale herbot has no catalog for (``ko``) passes to the next; an English one (``en-US``)
    ends the chain: that member reads English, whatever the server's language.
    """
    items = [locales] if locales is None or isinstance(locales, str) else list(locales)
    names: list[str] = []
    for item in items:
        if item is None:
            continue
        if str(item).split("-", 1)[0] == SOURCE:
            break
        name = catalog_name(str(item))
        if name is not None and name not in names:
            names.append(name)
    return names


def _found(name: str, msgid: str | tuple[str, str], context: str | None) -> Any:
    found = catalog(name)
    if found is None:
        return None
    message = found.get(msgid, context)
    if message is None or message.fuzzy:
        return None
    text = message.string
    if isinstance(text, tuple | list):
        return text if all(text) else None
    return text or None


def babel_locale(name: str | None) -> BabelLocale:
    return BabelLocale.parse(name or SOURCE)


def _formatted(params: Mapping[str, Any], name: str | None) -> dict[str, Any]:
    """Numbers and dates written the locale's way (Babel); everything else as it is."""
    where = babel_locale(name)
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float | datetime | date):
            out[key] = value
        elif isinstance(value, datetime):
            out[key] = babel_dates.format_datetime(value, "medium", locale=where)
        elif isinstance(value, date):
            out[key] = babel_dates.format_date(value, "medium", locale=where)
        else:
            out[key] = babel_numbers.format_decimal(value, locale=where)
    return out


def translate(
    msgid: str,
    locale: LocaleLike | Iterable[LocaleLike] = None,
    *,
    context: str | None = None,
    **params: Any,
) -> str:
    """``msgid`` in the first of ``locale``'s catalogs that has it, else English, with
    ``params`` filled in."""
    for name in chain(locale):
        text = _found(name, msgid, context)
        if text is not None:
            return text.format(**_formatted(params, name)) if params else text
    return msgid.format(**_formatted(params, None)) if params else msgid


def lookup(
    msgid: str, locale: LocaleLike | Iterable[LocaleLike], *, context: str | None = None
) -> str | None:
    """The translation itself, or None when no catalog of ``locale`` has one (the translator
    then leaves Discord the English)."""
    for name in chain(locale):
        text = _found(name, msgid, context)
        if isinstance(text, str):
            return text
    return None


def ntranslate(
    singular: str,
    plural: str,
    n: int,
    locale: LocaleLike | Iterable[LocaleLike] = None,
    **params: Any,
) -> str:
    """The plural form of ``singular``/``plural`` for ``n`` (the catalog's rule); ``{n}`` and
    ``params`` filled in."""
    found = nlookup(singular, plural, n, locale, **params)
    if found is not None:
        return found
    params = {"n": n, **params}
    return (singular if n == 1 else plural).format(**_formatted(params, None))


def nlookup(
    singular: str,
    plural: str,
    n: int,
    locale: LocaleLike | Iterable[LocaleLike],
    *,
    context: str | None = None,
    **params: Any,
) -> str | None:
    """The translated plural form for ``n``, filled in; None when no catalog has it."""
    params = {"n": n, **params}
    for name in chain(locale):
        forms = _found(name, (singular, plural), context)
        if isinstance(forms, tuple | list):
            index = min(_plural_rule(name)(n), len(forms) - 1)
            return str(forms[index]).format(**_formatted(params, name))
    return None


def format_number(value: float, locale: LocaleLike | Iterable[LocaleLike] = None) -> str:
    names = chain(locale)
    return babel_numbers.format_decimal(value, locale=babel_locale(names[0] if names else None))


def format_datetime(moment: datetime, locale: LocaleLike | Iterable[LocaleLike] = None) -> str:
    names = chain(locale)
    where = babel_locale(names[0] if names else None)
    return babel_dates.format_datetime(moment, "medium", locale=where)


class Text:
    """A message to translate when the reader is known: ``str()`` is English.

    Refusals are raised far from the interaction (domain code, checks); the error handler
    renders them in the member's locale (:meth:`render`).
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: Mapping[str, Any]) -> None:
        self.msgid = msgid
        self.params = dict(params)

    def render(self, locale: LocaleLike | Iterable[LocaleLike] = None) -> str:
        return translate(self.msgid, locale, **_rendered(self.params, locale))

    def __str__(self) -> str:
        return self.render(None)

    def __repr__(self) -> str:
        return f"Text({self.msgid!r})"


class PluralText(Text):
    """A plural message (:func:`ntranslate`) to render later; ``n`` picks the form."""

    __slots__ = ("n", "plural")

    def __init__(self, singular: str, plural: str, n: int, params: Mapping[str, Any]) -> None:
        super().__init__(singular, params)
        self.plural = plural
        self.n = n

    def render(self, locale: LocaleLike | Iterable[LocaleLike] = None) -> str:
        params = _rendered(self.params, locale)
        return ntranslate(self.msgid, self.plural, self.n, locale, **params)


class Listed:
    """Items joined the locale's way ("a, b and c", "a、b、c"), each rendered first."""

    __slots__ = ("items", "wrap")

    def __init__(self, items: Iterable[object], wrap: str = "{}") -> None:
        self.items = tuple(items)
        self.wrap = wrap  # each item's markup, e.g. "**{}**"

    def render(self, locale: LocaleLike | Iterable[LocaleLike] = None) -> str:
        names = chain(locale)
        parts = [self.wrap.format(render(item, locale)) for item in self.items]
        return format_list(parts, locale=babel_locale(names[0] if names else None))

    def __str__(self) -> str:
        return self.render(None)


def _rendered(params: Mapping[str, Any], locale: LocaleLike | Iterable[LocaleLike]) -> dict:
    return {k: render(v, locale) if hasattr(v, "render") else v for k, v in params.items()}


def _n(singular: str, plural: str, n: int, **params: Any) -> PluralText:
    """Mark a plural message for the catalogs and translate it later."""
    return PluralText(singular, plural, n, params)


def _(msgid: str, **params: Any) -> Text:
    """Mark ``msgid`` for the catalogs and translate it later (:meth:`Text.render`)."""
    return Text(msgid, params)


def placeholders(text: str) -> set[str]:
    """The ``{field}`` names a message uses (the catalog test compares them)."""
    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field}


def render(value: object, locale: LocaleLike | Iterable[LocaleLike] = None) -> str:
    """A :class:`Text` (or :class:`Listed`) in ``locale``; anything else as ``str()``."""
    return value.render(locale) if isinstance(value, Text | Listed) else str(value)
