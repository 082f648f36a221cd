"""Persistent components: the custom id, its template and its prefix from one spelling.

A button that must keep working after a restart carries its state in its custom id: it is a
:class:`discord.ui.DynamicItem`, which discord.py finds by matching the clicked custom id
against a template and rebuilds from the match. :class:`Persistent` is one, spelled once::

    class PollVoteButton(
        Persistent[discord.ui.Button, PollHandler],
        id="herbot:poll:vote:{poll_id:int}:{position:digit}",
        what="poll vote button",
    ):

Each ``{name}`` is one value, kept in the item's attribute of that name. ``{name:int}`` is
digits read as an int, ``{name:digit}`` one digit, ``{name:word}`` a ``\\w+`` word; a bare
``{name}`` takes the :class:`Field` passed as the class keyword of that name (its own
pattern, how it is read and how it is written). From the spelling come the template
discord.py matches, every item's custom id, :meth:`Persistent.parse` (the fast lane's,
:mod:`bot.fastlane`) and :attr:`Persistent.prefix`. Posted messages carry these ids, so a
changed one breaks every button already in a server: ``tests/core/test_components.py`` pins
each.

A click goes to the object the feature registered for the item's class when its cog loaded
(``bot.components.add(self, PollVoteButton, ...)``, which also gives the classes to
``bot.add_dynamic_items``): the item's :meth:`~Persistent.handle` calls it, typed by the
feature's protocol, and :func:`bot.errors.guarded` answers what it raises. The registry
belongs to the bot the click came to (``interaction.client``), so several bots in one process
(tests restart theirs) never share handlers, and nothing finds a cog by name.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

import discord

from bot.errors import UserError, guarded

ItemT = TypeVar("ItemT", bound="discord.ui.Button[Any] | discord.ui.Select[Any]", covariant=True)
HandlerT = TypeVar("HandlerT", contravariant=True)  # what a click needs of its feature
R = TypeVar("R")

UNAVAILABLE = "That is not available right now; try again in a moment."


@dataclass(frozen=True, slots=True)
class Field:
    """One value in a custom id: the text it may be, how it is read and how it is written."""

    pattern: str
    parse: Callable[[str], Any] = str
    format: Callable[[Any], str] = str


KINDS: Mapping[str, Field] = {
    "int": Field(r"\d+", int),
    "digit": Field(r"\d", int),
    "word": Field(r"\w+"),
}


@dataclass(frozen=True, slots=True)
class Spelling:
    """A custom id spelled once: literal text and fields, in order, and the template."""

    text: str
    parts: tuple[tuple[str, str | None], ...]  # (literal, the field after it or None)
    fields: Mapping[str, Field]
    template: re.Pattern[str]

    @classmethod
    def of(cls, text: str, declared: Mapping[str, Field]) -> Spelling:
        parts: list[tuple[str, str | None]] = []
        fields: dict[str, Field] = {}
        pattern: list[str] = []
        unused = dict(declared)
        for literal, name, kind, conversion in string.Formatter().parse(text):
            pattern.append(re.escape(literal))
            parts.append((literal, name))
            if name is None:
                continue
            if not name.isidentifier() or conversion or name in fields:
                raise TypeError(f"{text!r}: {{{name}}} must be a new name, without a conversion")
            if kind:
                if name in declared or kind not in KINDS:
                    raise TypeError(f"{text!r}: {{{name}:{kind}}} takes one of {sorted(KINDS)}")
                field = KINDS[kind]
            elif name in unused:
                field = unused.pop(name)
            else:
                raise TypeError(f"{text!r}: say what {{{name}}} is: {{{name}:int}} or {name}=Field")
            fields[name] = field
            pattern.append(f"(?P<{name}>{field.pattern})")
        if unused:
            raise TypeError(f"{text!r} has no field {sorted(unused)}")
        return cls(text, tuple(parts), fields, re.compile("".join(pattern)))

    @property
    def prefix(self) -> str:
        """The literal text before the first field (what the fast lane routes by)."""
        return self.parts[0][0] if self.parts else ""

    def format(self, values: Mapping[str, Any]) -> str:
        return "".join(
            literal + ("" if name is None else self.fields[name].format(values[name]))
            for literal, name in self.parts
        )

    def read(self, match: re.Match[str]) -> dict[str, Any]:
        return {name: field.parse(match[name]) for name, field in self.fields.items()}

    def parse(self, custom_id: str) -> dict[str, Any] | None:
        match = self.template.fullmatch(custom_id)
        return None if match is None else self.read(match)


class Persistent(discord.ui.DynamicItem[ItemT], Generic[ItemT, HandlerT], template="(?!)"):
    """A DynamicItem whose custom id is spelled once (``id=``), handled by a registered object.

    A subclass sets one attribute per field, then calls ``super().__init__(item)`` with the
    button or select (its custom id is filled in here), and implements :meth:`handle`.
    ``what`` names it in error logs (``{field}`` in it is replaced by the field's value).
    """

    spelling: ClassVar[Spelling]
    prefix: ClassVar[str]
    what: ClassVar[str]

    def __init_subclass__(cls, *, id: str, what: str, **fields: Field) -> None:
        spelling = Spelling.of(id, fields)
        taken = [name for name in spelling.fields if hasattr(Persistent, name)]
        if taken:
            raise TypeError(f"{id!r}: {taken} are item attributes already; name the fields")
        super().__init_subclass__(template=spelling.template)
        cls.spelling, cls.prefix, cls.what = spelling, spelling.prefix, what

    def __init__(self, item: ItemT) -> None:
        item.custom_id = self.spelling.format(self.fields)
        super().__init__(item)

    @property
    def fields(self) -> dict[str, Any]:
        """This item's field values, by name."""
        return {name: getattr(self, name) for name in self.spelling.fields}

    @classmethod
    def id_of(cls, **fields: Any) -> str:
        """The custom id these field values spell."""
        return cls.spelling.format(fields)

    @classmethod
    def parse(cls, custom_id: str) -> dict[str, Any] | None:
        """The field values of a custom id of this class, or None if it is not one."""
        return cls.spelling.parse(custom_id)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls.rebuild(item, **cls.spelling.read(match))

    @classmethod
    def rebuild(cls, item: discord.ui.Item[Any], **fields: Any) -> Self:
        """The clicked ``item`` as this class, from its custom id's fields.

        By default ``cls(**fields)``; a class whose look is not all in its id (a label, a
        row) overrides this to take them from ``item``.
        """
        return cls(**fields)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, self._handled(interaction), self.what.format_map(self.fields))

    async def _handled(self, interaction: discord.Interaction[Any]) -> None:
        handler: HandlerT = components_of(interaction.client).handler(type(self))
        await self.handle(handler, interaction)

    async def handle(self, handler: HandlerT, interaction: discord.Interaction[Any]) -> None:
        """The click: hand it to ``handler`` (the object registered for this class)."""
        raise NotImplementedError


class Components:
    """One bot's persistent component classes and the object that handles each one's clicks."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client
        self._handlers: dict[type[Persistent[Any, Any]], object] = {}

    def add(self, handler: R, *items: type[Persistent[Any, R]]) -> None:
        """``handler`` takes these classes' clicks, and discord.py is given the classes.

        mypy checks that ``handler`` is what their ``handle`` needs (when it is not, it says
        it "cannot infer" ``R``); classes needing different protocols go in separate calls.
        """
        for item in items:
            if item in self._handlers:
                raise RuntimeError(f"{item.__qualname__} has a handler already")
        self._handlers.update(dict.fromkeys(items, handler))
        self._client.add_dynamic_items(*items)

    def remove(self, *items: type[Persistent[Any, Any]]) -> None:
        self._client.remove_dynamic_items(*items)
        for item in items:
            self._handlers.pop(item, None)

    def label(self, custom_id: str) -> str | None:
        """The bounded name of the registered component ``custom_id`` belongs to, for
        metrics: its ``what``, each word field (``{action}``) filled in, ids left as their
        name; None when no registered class spells it."""
        for item in self._handlers:
            match = item.spelling.template.fullmatch(custom_id)
            if match is None:
                continue
            values = {
                name: match[name] if field.pattern == r"\w+" else f"{{{name}}}"
                for name, field in item.spelling.fields.items()
            }
            return item.what.format_map(values)
        return None

    def handler(self, item: type[Persistent[Any, R]]) -> R:
        """The registered handler of ``item``; a member's "try again" while there is none."""
        try:
            return cast(R, self._handlers[item])
        except KeyError:
            raise UserError(UNAVAILABLE) from None


def components_of(client: discord.Client) -> Components:
    """The registry of the bot a click came to (``interaction.client``)."""
    found = getattr(client, "components", None)
    if not isinstance(found, Components):
        raise RuntimeError(f"{type(client).__name__} keeps no persistent components")
    return found
