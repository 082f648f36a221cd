"""A small fake Discord for wire-level benchmarks: one gateway websocket and a REST API.

Loopback only. ``herbot run`` is pointed at it with ``DISCORD_GATEWAY_URL`` and
``DISCORD_API_BASE``; the bot then speaks real websocket frames (compressed as it asks:
``zlib-stream`` or ``zstd-stream``) and real HTTP to it, exactly as it would to Discord.

What it answers is just enough for one guild with one text channel: HELLO, READY and
GUILD_CREATE on the gateway, heartbeats acknowledged, RESUME answered with RESUMED (after
:meth:`FakeDiscord.drop_gateway`, which can hold the reconnection until
:meth:`FakeDiscord.release_gateway`); ``/users/@me``, interaction callbacks
(each one's arrival time recorded: that is the acknowledgement the member would see),
message posts and edits (recorded), the channel's history (``GET /channels/{id}/messages``
with ``before``/``after``/``limit``, as Discord pages it, from the messages members sent
through :meth:`FakeDiscord.member_message` and the bot posted; at most
``history_per_second`` pages a second, said in Discord's rate limit headers, and HTTP 429
with ``retry_after`` to a client that asks sooner), and ``{}`` for
anything else. It is not a Discord
emulator (simcord is, in process); it exists so that the bot's own process, event loop,
JSON, compression and HTTP client are all inside the measurement.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_ID = 900_000_000_000_000_001
APP_ID = BOT_ID
GUILD_ID = 900_000_000_000_000_100
CHANNEL_ID = 900_000_000_000_000_200
ALL_PERMISSIONS = str((1 << 50) - 1)
_ids = itertools.count(910_000_000_000_000_000)


def snowflake() -> int:
    return next(_ids)


_DISCORD_EPOCH_MS = 1420070400000
_last_timed = 0


def timed_snowflake() -> int:
    """A snowflake of the current time (history pages and catch-up compare ids with time)."""
    global _last_timed
    now = ((int(time.time() * 1000) - _DISCORD_EPOCH_MS) << 22) + 1
    _last_timed = max(now, _last_timed + 1)
    return _last_timed


MEMBER_ID = 900_000_000_000_000_300


def user(uid: int, name: str) -> dict[str, Any]:
    return {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": uid == BOT_ID,
        "public_flags": 0,
    }


BOT_USER = user(BOT_ID, "herbot")
NOW = "2026-11-29T12:00:00.000000+00:00"


def guild_payload() -> dict[str, Any]:
    return {
        "id": str(GUILD_ID),
        "name": "Bench",
        "icon": None,
        "owner_id": "1",
        "roles": [
            {
                "id": str(GUILD_ID),
                "name": "@everyone",
                "permissions": "2248473465835073",
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "channels": [
            {
                "id": str(CHANNEL_ID),
                "type": 0,
                "name": "general",
                "position": 0,
                "permission_overwrites": [],
                "guild_id": str(GUILD_ID),
            }
        ],
        "members": [
            {
                "user": BOT_USER,
                "roles": [],
                "joined_at": NOW,
                "deaf": False,
                "mute": False,
                "flags": 0,
            }
        ],
        "member_count": 1001,
        "large": False,
        "unavailable": False,
        "emojis": [],
        "stickers": [],
        "features": [],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "system_channel_flags": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "joined_at": NOW,
    }


def message_payload(
    message_id: int, content: str = "", embeds: Any = (), components: Any = ()
) -> dict[str, Any]:
    return {
        "id": str(message_id),
        "channel_id": str(CHANNEL_ID),
        "guild_id": str(GUILD_ID),
        "author": BOT_USER,
        "content": content,
        "timestamp": NOW,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": list(embeds),
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": list(components),
    }


def _iso_of(message_id: int) -> str:
    from datetime import UTC, datetime

    ms = (message_id >> 22) + _DISCORD_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def click_payload(
    interaction_id: int,
    user_id: int,
    custom_id: str,
    message: dict[str, Any],
    joined_at: str = NOW,
) -> dict[str, Any]:
    """An INTERACTION_CREATE for a button press, shaped like Discord's (the member joined
    the guild at ``joined_at``)."""
    return {
        "id": str(interaction_id),
        "application_id": str(APP_ID),
        "type": 3,
        "data": {"custom_id": custom_id, "component_type": 2},
        "guild_id": str(GUILD_ID),
        "channel_id": str(CHANNEL_ID),
        "channel": {
            "id": str(CHANNEL_ID),
            "type": 0,
            "name": "general",
            "guild_id": str(GUILD_ID),
            "position": 0,
            "permissions": ALL_PERMISSIONS,
            "flags": 0,
        },
        "member": {
            "user": user(user_id, f"member{user_id % 100_000}"),
            "roles": [],
            "joined_at": joined_at,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": "2248473465835073",
        },
        "token": f"token-{interaction_id}",
        "version": 1,
        "message": message,
        "app_permissions": ALL_PERMISSIONS,
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
        "attachment_size_limit": 8_388_608,
    }


def command_payload(
    interaction_id: int, user_id: int, name: str, options: Any = ()
) -> dict[str, Any]:
    """An INTERACTION_CREATE for a slash command (``options``: Discord's option objects)."""
    payload = click_payload(interaction_id, user_id, "", message_payload(0))
    del payload["message"]
    payload["type"] = 2
    payload["data"] = {
        "id": str(snowflake()),
        "name": name,
        "type": 1,
        "options": list(options),
    }
    return payload


def _json(data: Any) -> web.Response:
    """JSON with Discord's exact content type (discord.py compares it verbatim)."""
    body = json.dumps(data).encode()
    return web.Response(body=body, headers={"Content-Type": "application/json"})


class _Compressor:
    """Each dispatch as the bot asked: one zlib stream (sync-flushed) or zstd frames."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        if kind == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif kind == "zstd-stream":
            import zstandard

            self._zstd = zstandard.ZstdCompressor().compressobj()
            self._flush = zstandard.COMPRESSOBJ_FLUSH_BLOCK

    def __call__(self, text: str) -> bytes | str:
        data = text.encode()
        if self.kind == "zlib-stream":
            return self._zlib.compress(data) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self.kind == "zstd-stream":
            return self._zstd.compress(data) + self._zstd.flush(self._flush)
        return text


@dataclass
class FakeDiscord:
    """Start with :meth:`start`; ``dispatch`` sends gateway events once the bot identified."""

    host: str = "127.0.0.1"
    port: int = 0
    acks: dict[int, float] = field(default_factory=dict)  # interaction id -> arrival time
    ack_bodies: dict[int, Any] = field(default_factory=dict)
    edits: list[tuple[float, str]] = field(default_factory=list)  # (time, path)
    posts: list[tuple[float, str]] = field(default_factory=list)
    identified: asyncio.Event = field(default_factory=asyncio.Event)
    compression: str | None = None
    # The next this-many message posts are refused with 403 Missing Permissions, or never
    # answered (the bot waits as on a stalled connection): tests of failed and lost posts.
    refuse_posts: int = 0
    hang_posts: int = 0
    refused: list[tuple[float, str]] = field(default_factory=list)
    identifies: int = 0  # IDENTIFY (a new session) and RESUME (the same one) received
    resumes: int = 0
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    # The channel's messages, by id (members' through member_message, the bot's posts).
    history: dict[int, dict[str, Any]] = field(default_factory=dict)
    history_per_second: int = 50
    history_pages: int = 0  # GET .../messages answered (429s not counted)
    limited: int = 0  # 429s sent
    first_page_at: float | None = None  # perf_counter of the first history page answered

    def member_message(self, content: str, author_id: int = MEMBER_ID) -> dict[str, Any]:
        """A member's message, kept in the channel's history; dispatch it as MESSAGE_CREATE
        while the bot is up, or not (it posted while the bot was down)."""
        payload = message_payload(timed_snowflake(), content)
        payload["author"] = user(author_id, f"member{author_id % 1000}")
        payload["member"] = {"roles": [], "joined_at": NOW, "deaf": False, "mute": False}
        payload["timestamp"] = _iso_of(int(payload["id"]))
        self.history[int(payload["id"])] = payload
        return payload

    def _page(self, query: Any) -> list[dict[str, Any]]:
        limit = max(1, min(100, int(query.get("limit", 50))))
        ordered = sorted(self.history)
        if "before" in query:
            ordered = [i for i in ordered if i < int(query["before"])]
        if "after" in query:
            ordered = [i for i in ordered if i > int(query["after"])]
            if "before" not in query:  # Discord: the oldest after it, sent newest first
                return [self.history[i] for i in reversed(ordered[:limit])]
        return [self.history[i] for i in reversed(ordered[-limit:])]

    async def start(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._compress = _Compressor(None)
        self._ack_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._release: asyncio.Event | None = None  # set: gateway connections wait for it
        self._next_page = 0.0  # history pages: when the next one may be asked for

    async def stop(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        await self._runner.cleanup()

    async def drop_gateway(self, *, hold: bool = True) -> None:
        """Close the bot's gateway connection as Discord does when a session must move
        (close code 4000: the bot reconnects and RESUMEs). With ``hold``, its reconnection
        waits for HELLO until :meth:`release_gateway`: the bot stays disconnected meanwhile."""
        if hold:
            self._release = asyncio.Event()
        self.resumed.clear()
        if self._ws is not None and not self._ws.closed:
            await self._ws.close(code=4000, message=b"moved")

    def release_gateway(self) -> None:
        """Let a held reconnection go on (HELLO, then the bot's RESUME)."""
        if self._release is not None:
            self._release.set()
            self._release = None

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}/api/v10"

    # ------------------------------------------------------------------- gateway

    async def _send(self, op: int, data: Any, event: str | None = None) -> None:
        assert self._ws is not None
        payload: dict[str, Any] = {"op": op, "d": data, "s": None, "t": event}
        if op == 0:
            self._seq += 1
            payload["s"] = self._seq
        frame = self._compress(json.dumps(payload))
        if isinstance(frame, bytes):
            await self._ws.send_bytes(frame)
        else:
            await self._ws.send_str(frame)

    async def dispatch(self, event: str, data: Any) -> None:
        await self._send(0, data, event)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._ws = ws
        self.compression = request.query.get("compress")
        self._compress = _Compressor(self.compression)
        if self._release is not None:  # a dropped connection held (drop_gateway)
            await self._release.wait()
        await self._send(10, {"heartbeat_interval": 41_250})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            op = payload.get("op")
            if op == 1:  # heartbeat
                await self._send(11, None)
            elif op == 6:  # resume: the session goes on where it was
                self.resumes += 1
                await self.dispatch("RESUMED", {})
                self.resumed.set()
            elif op == 2:  # identify
                self.identifies += 1
                await self.dispatch(
                    "READY",
                    {
                        "v": 10,
                        "user": BOT_USER,
                        "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                        "session_id": "bench-session",
                        "resume_gateway_url": self.gateway_url,
                        "application": {"id": str(APP_ID), "flags": 0},
                        "private_channels": [],
                        "relationships": [],
                        # an AutoShardedBot (herbot run --shard-count) identifies per shard
                        "shard": (payload.get("d") or {}).get("shard") or [0, 1],
                    },
                )
                await self.dispatch("GUILD_CREATE", guild_payload())
                self.identified.set()
        return ws

    # ---------------------------------------------------------------------- REST

    async def wait_acks(self, count: int, seconds: float) -> None:
        """Until ``count`` interaction callbacks arrived in total (or the timeout)."""
        if len(self.acks) >= count:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ack_waiters.append((count, future))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(future, seconds)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        arrived = time.perf_counter()
        path = "/" + request.match_info["tail"]
        parts = path.strip("/").split("/")
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json" and raw:
                body = json.loads(raw)
        if parts[0] == "interactions" and parts[-1] == "callback":
            interaction_id = int(parts[1])
            self.acks[interaction_id] = arrived
            self.ack_bodies[interaction_id] = body
            for count, future in list(self._ack_waiters):
                if len(self.acks) >= count and not future.done():
                    future.set_result(None)
            data = (body or {}).get("data") or {}
            if request.query.get("with_response") not in ("1", "true"):
                return web.Response(status=204)  # as Discord: the created message only if asked
            return _json(
                {
                    "interaction": {
                        "id": str(interaction_id),
                        "type": 3,
                        "response_message_id": str(snowflake()),
                        "response_message_loading": False,
                        "response_message_ephemeral": bool(data.get("flags", 0) & 64),
                    },
                    "resource": {
                        "type": (body or {}).get("type", 4),
                        "message": message_payload(
                            snowflake(), data.get("content", ""), data.get("embeds", ())
                        ),
                    },
                }
            )
        if path == "/users/@me":
            return _json(BOT_USER)
        if path == "/oauth2/applications/@me":
            return _json(
                {
                    "id": str(APP_ID),
                    "name": "herbot",
                    "icon": None,
                    "description": "",
                    "rpc_origins": [],
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": user(1, "owner"),
                    "summary": "",
                    "verify_key": "",
                    "flags": 0,
                    "team": None,
                }
            )
        if path == "/gateway" or path == "/gateway/bot":
            return _json(
                {
                    "url": self.gateway_url,
                    "shards": 1,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 1000,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if (
            parts[0] == "channels"
            and len(parts) == 3
            and parts[2] == "messages"
            and request.method == "GET"
        ):
            # One page per 1/history_per_second, announced in Discord's rate limit headers
            # (discord.py waits them out itself); a page asked for sooner gets a 429.
            every = 1.0 / self.history_per_second
            if arrived < self._next_page:
                self.limited += 1
                wait = self._next_page - arrived
                # Via: discord.py takes a 429 without it for a Cloudflare ban, not a limit.
                body = {"message": "You are being rate limited.", "retry_after": wait}
                return web.Response(
                    body=json.dumps(body | {"global": False}).encode(),
                    status=429,
                    headers={
                        "Content-Type": "application/json",
                        "Retry-After": f"{wait:.3f}",
                        "Via": "1.1 google",
                    },
                )
            self._next_page = arrived + every
            self.history_pages += 1
            if self.first_page_at is None:
                self.first_page_at = arrived
            limits = {
                "X-RateLimit-Limit": "1",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": f"{every:.3f}",
                "X-RateLimit-Bucket": "fake-history",
            }
            page = json.dumps(self._page(request.query)).encode()
            return web.Response(body=page, headers={"Content-Type": "application/json", **limits})
        if parts[0] == "channels" and len(parts) >= 3 and parts[2] == "messages":
            data = body or {}
            if request.method == "PATCH":
                self.edits.append((arrived, path))
                return _json(
                    message_payload(
                        int(parts[3]), data.get("content") or "", data.get("embeds", ())
                    )
                )
            if request.method == "POST" and len(parts) == 3 and self.hang_posts > 0:
                self.hang_posts -= 1
                self.refused.append((arrived, path))
                await asyncio.Event().wait()  # until the bot goes away
            if request.method == "POST" and len(parts) == 3 and self.refuse_posts > 0:
                self.refuse_posts -= 1
                self.refused.append((arrived, path))
                return web.json_response(
                    {"message": "Missing Permissions", "code": 50013}, status=403
                )
            if request.method == "POST" and len(parts) == 3:
                self.posts.append((arrived, path))
                posted = message_payload(
                    timed_snowflake(), data.get("content") or "", data.get("embeds", ())
                )
                self.history[int(posted["id"])] = posted
                return _json(posted)
        return _json({})
