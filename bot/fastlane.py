"""A lean lane for the busiest buttons: the gateway's raw click to the interaction callback.

A debate's vote is the moment 1,000 members click at once, and Discord gives each click
3 seconds. discord.py builds, for every button click, an :class:`~discord.Interaction`, its
:class:`~discord.Message` with every component, a :class:`~discord.ui.View` rebuilt from that
message (to find the DynamicItem), and after answering, a second Message from the callback's
response. Measured with ``bench/burst.py`` that is most of the bot's CPU per click, and on a
shared 2-core machine CPU per click is what decides whether a burst is answered in time.

A feature registers a custom-id prefix and a handler here; a click whose custom id has that
prefix is given to the handler as a small :class:`Click` (ids, token, the member's roles, join
date and screening, as the click's own payload carries them: nothing is fetched per click).
The handler answers with the private text to send (or :class:`Replace`: the text replaces the
clicked private message and its buttons, as a builder's "Submit" does), or ``None`` to let
discord.py's ordinary path (the DynamicItem) take the click after all: the lane is an
optimisation of one path, never a second set of rules, and a click it declines has not been
answered yet. Errors get the same replies as everywhere (:mod:`bot.errors`). The answer goes
through discord.py's own webhook adapter (the interaction-callback route, without asking for
the created message back), so rate limits, proxies and simcord's tests all apply.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord
from discord.http import Route
from discord.webhook.async_ import async_context, interaction_message_response_params

from bot import interactions
from bot.errors import describe, error_id

log = logging.getLogger(__name__)

COMPONENT = 3  # InteractionType.component
BUTTON = 2  # ComponentType.button


@dataclass(frozen=True, slots=True)
class Click:
    """What a button handler on the lane knows about the click (nothing discord.py-built)."""

    interaction_id: int
    token: str
    custom_id: str
    guild_id: int | None
    channel_id: int | None
    user_id: int
    role_ids: frozenset[int]
    joined_at: datetime | None = None  # the payload's member.joined_at (None outside a guild)
    pending: bool = False  # the member has not passed membership screening yet


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


class Replace(str):
    """An answer that replaces the clicked message's text and removes its components."""

    __slots__ = ()


Handler = Callable[[Click], Awaitable[str | None]]


class FastLane:
    """Prefix -> handler for raw button clicks; installed on the bot's gateway parser once."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client
        self._routes: dict[str, Handler] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._original: Callable[[Any], None] | None = None
        self.handled = 0
        self.declined = 0

    def add(self, prefix: str, handler: Handler) -> None:
        self._routes[prefix] = handler

    def remove(self, prefix: str) -> None:
        self._routes.pop(prefix, None)

    def install(self) -> None:
        """Wrap discord.py's INTERACTION_CREATE parser (the gateway and simcord both call it)."""
        parsers = self._client._connection.parsers
        if self._original is not None:
            return
        self._original = parsers["INTERACTION_CREATE"]
        parsers["INTERACTION_CREATE"] = self._parse

    def _route(self, data: dict[str, Any]) -> Handler | None:
        if data.get("type") != COMPONENT or not self._routes:
            return None
        inner = data.get("data") or {}
        if inner.get("component_type") != BUTTON:
            return None
        custom_id = inner.get("custom_id", "")
        for prefix, handler in self._routes.items():
            if custom_id.startswith(prefix):
                return handler
        return None

    def _parse(self, data: dict[str, Any]) -> None:
        assert self._original is not None
        handler = self._route(data)
        if handler is None:
            self._original(data)
            return
        started = time.perf_counter()
        task = asyncio.create_task(self._handle(handler, data, started), name="herbot-fastlane")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, handler: Handler, data: dict[str, Any], started: float) -> None:
        member = data.get("member") or {}
        user = member.get("user") or data.get("user") or {}
        click = Click(
            interaction_id=int(data["id"]),
            token=data["token"],
            custom_id=data["data"]["custom_id"],
            guild_id=int(data["guild_id"]) if data.get("guild_id") else None,
            channel_id=int(data["channel_id"]) if data.get("channel_id") else None,
            user_id=int(user["id"]),
            role_ids=frozenset(int(r) for r in member.get("roles", ())),
            joined_at=_moment(member.get("joined_at")),
            pending=bool(member.get("pending", False)),
        )
        outcome, failure = interactions.OK, None
        try:
            text = await handler(click)
        except Exception as error:  # the same words as a command's error
            text = describe(error)
            outcome = interactions.REFUSED
            if text is None:
                eid = error_id()
                log.error(
                    "unexpected error %s in a fast-lane click",
                    eid,
                    exc_info=error,
                    extra={"error_id": eid},
                )
                outcome, failure = interactions.ERROR, error
                text = (
                    f"Something went wrong on my side (error id `{eid}`). "
                    "Try again; if it keeps happening, tell a moderator that id."
                )
        if text is None:  # declined: discord.py's ordinary path takes the click
            self.declined += 1
            assert self._original is not None
            self._original(data)
            return
        self.handled += 1
        if await self._answer(click, text):
            interactions.fast_click(self._client, click.custom_id, started, outcome, failure)

    async def _answer(self, click: Click, text: str) -> bool:
        """The private answer, through discord.py's own interaction-callback request; False
        when Discord did not take it."""
        http = self._client.http
        if isinstance(text, Replace):
            params = interaction_message_response_params(
                type=discord.InteractionResponseType.message_update.value,
                content=str(text),
                view=None,  # the builder's buttons go
                allowed_mentions=discord.AllowedMentions.none(),
                previous_allowed_mentions=None,
            )
        else:
            params = interaction_message_response_params(
                type=discord.InteractionResponseType.channel_message.value,
                content=text,
                flags=discord.MessageFlags(ephemeral=True),
                allowed_mentions=discord.AllowedMentions.none(),
                previous_allowed_mentions=None,
            )
        # discord.py's own adapter (its rate-limit lock, proxies, retries), without the
        # ``with_response`` that create_interaction_response always asks for: the lane never
        # reads the created message, so Discord answers 204 and nothing is parsed (a
        # burst's answers are most of its CPU: docs/debate.md, "5,000 at once").
        route = Route(
            "POST",
            "/interactions/{webhook_id}/{webhook_token}/callback",
            webhook_id=click.interaction_id,
            webhook_token=click.token,
        )
        try:
            await async_context.get().request(
                route,
                session=http._HTTPClient__session,  # type: ignore[attr-defined]
                proxy=http.proxy,
                proxy_auth=http.proxy_auth,
                payload=params.payload,
            )
        except discord.HTTPException as exc:
            log.warning("could not answer click %s: %s", click.interaction_id, exc)
            return False
        return True
