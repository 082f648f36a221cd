"""What one feature provides to another at run time, keyed by the type it promises.

A feature's ``setup`` provides an object under a type declared in its ``service.py``
(``bot.services.provide(PollRunner, cog)``); a feature that builds on it asks for that type in
its own ``setup`` and passes the object to its cogs. The core names neither: it only keeps
the mapping, and says which feature is missing when a type was never provided.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

T = TypeVar("T")


class Services:
    def __init__(self) -> None:
        self._provided: dict[type[Any], Any] = {}

    def provide(self, key: type[T], value: T) -> None:
        if key in self._provided:
            raise RuntimeError(f"{key.__qualname__} is provided twice")
        self._provided[key] = value

    def get(self, key: type[T]) -> T:
        try:
            return cast(T, self._provided[key])
        except KeyError:
            raise LookupError(
                f"no loaded feature provides {key.__module__}.{key.__qualname__}: list the "
                "feature that does before the one that needs it in [bot] features"
            ) from None
