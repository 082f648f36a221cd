"""Every place herbot relies on a discord.py internal, pinned: a discord.py release that changes
one fails here, naming the patch that needs a look, before it fails quietly in production.

pyproject.toml pins discord.py to 2.7.x; these tests say what an upgrade must keep.
"""

from __future__ import annotations

import inspect

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient

from bot import text


def _client() -> discord.Client:
    return discord.Client(intents=discord.Intents.default())


def _needs(condition: bool, patch: str, what: str) -> None:
    if not condition:
        pytest.fail(f"discord.py changed what {patch} relies on: {what}")


def test_the_version_herbot_was_checked_against():
    _needs(
        discord.version_info[:2] == (2, 7),
        "every patch below",
        f"discord.py is {discord.__version__}; these internals were checked against 2.7",
    )


@pytest.mark.parametrize("event", sorted(text.TEXT_EVENTS))
def test_member_text_is_cleaned_in_the_gateway_parsers(event):
    """bot/text.py wraps ConnectionState.parsers[event] (INTERACTION_CREATE, MESSAGE_*)."""
    parsers = _client()._connection.parsers
    _needs(isinstance(parsers, dict), "bot/text.py", "ConnectionState.parsers is no longer a dict")
    _needs(event in parsers, "bot/text.py", f"no parser for {event}")
    parser = parsers[event]
    _needs(
        len(inspect.signature(parser).parameters) == 1,
        "bot/text.py",
        f"the {event} parser no longer takes one payload argument",
    )


def test_the_fast_lane_takes_interaction_create_and_answers_through_the_webhook_adapter():
    """bot/fastlane.py: the INTERACTION_CREATE parser, the interaction-callback request, the
    HTTP client's session (name-mangled), proxy settings."""
    from discord.webhook import async_

    _needs("INTERACTION_CREATE" in _client()._connection.parsers, "bot/fastlane.py", "parser")
    params = inspect.signature(async_.interaction_message_response_params).parameters
    for name in ("type", "content", "flags", "view", "allowed_mentions"):
        _needs(name in params, "bot/fastlane.py", f"interaction_message_response_params({name}=)")
    adapter = async_.async_context.get()
    create = inspect.signature(adapter.create_interaction_response).parameters
    for name in ("interaction_id", "token", "session", "proxy", "proxy_auth", "params"):
        _needs(name in create, "bot/fastlane.py", f"create_interaction_response({name}=)")
    http = HTTPClient(loop=None)  # type: ignore[arg-type]
    for name in ("_HTTPClient__session", "proxy", "proxy_auth", "connector"):
        _needs(hasattr(http, name), "bot/fastlane.py / bot/speed.py", f"HTTPClient.{name}")


def test_the_fair_gateway_reader_wraps_poll_event():
    """bot/speed.py yields to the loop after each DiscordWebSocket.poll_event."""
    poll = DiscordWebSocket.poll_event
    _needs(inspect.iscoroutinefunction(poll), "bot/speed.fair_gateway", "poll_event is async")
    _needs(
        list(inspect.signature(poll).parameters) == ["self"],
        "bot/speed.fair_gateway",
        "poll_event takes no arguments",
    )


def test_plain_json_and_the_proxy_settings():
    """bot/speed.py swaps discord.utils' JSON functions; bot/app.py points REST and the
    gateway at a proxy; herbot silences the voice warnings it never needs."""
    utils = discord.utils
    _needs(callable(getattr(utils, "_from_json", None)), "bot/speed._plain_json", "_from_json")
    _needs(callable(getattr(utils, "_to_json", None)), "bot/speed._plain_json", "_to_json")
    _needs(isinstance(discord.http.Route.BASE, str), "bot/app.apply_proxy", "Route.BASE")
    _needs(
        isinstance(DiscordWebSocket.DEFAULT_GATEWAY, yarl.URL),
        "bot/app.apply_proxy",
        "DiscordWebSocket.DEFAULT_GATEWAY",
    )
    for flag in ("warn_nacl", "warn_dave"):
        _needs(hasattr(discord.VoiceClient, flag), "bot/app.Herbot", f"VoiceClient.{flag}")
