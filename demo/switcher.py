"""A channel and thread switcher beside the simulated page, so debates can be tried in the demo.

simcord's Preview shows one channel per page session, and a debate lives in a thread (its
panel, its votes, its timers, its result): the discussion channel alone shows only "Debate #1
is open in …". This page lists the server's text channels and threads; picking one ends the
Preview session and opens one on that channel or thread, on the same running bot and world,
in a second tab named ``herbot-preview`` (the Preview refuses to be framed, so it cannot sit
inside this page). Nothing of the bot changes: the thread is the very one the bot opened.

Loopback only; the page's address carries a random key, like the Preview's own.
"""

from __future__ import annotations

import asyncio
import html
import json
import secrets
from typing import Any

from aiohttp import web

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>herbot demo: channels and threads</title>
<style>
body {{ margin: 0; font: 14px system-ui, sans-serif; background: #2b2d31; color: #dbdee1; }}
nav {{ max-width: 360px; padding: 16px 12px; }}
h1 {{ font-size: 16px; margin: 4px 8px 4px; color: #f2f3f5; }}
p {{ margin: 8px; font-size: 13px; color: #949ba4; }}
button {{ display: block; width: 100%; text-align: left; margin: 2px 0; padding: 6px 8px;
          border: 0; border-radius: 4px; background: none; color: #949ba4; cursor: pointer;
          font: inherit; }}
button.thread {{ padding-left: 24px; }}
button[aria-current="true"] {{ background: #404249; color: #f2f3f5; }}
button:hover {{ background: #35373c; color: #dbdee1; }}
</style></head>
<body><nav aria-label="Channels and threads"><h1>{guild}</h1>
<p>Pick a channel or a thread: the simulated Discord opens it in the <b>herbot-preview</b>
tab (keep this one beside it). A debate opens in a thread: pick it to see its panel, its
votes and its result.</p><div id="list"></div></nav>
<script>
const base = location.pathname.replace(/\\/$/, "");
let opened = null;
async function refresh() {{
  const state = await (await fetch(base + "/state")).json();
  window.herbotDemo = state;
  const list = document.getElementById("list");
  list.replaceChildren(...state.channels.map(c => {{
    const b = document.createElement("button");
    b.textContent = (c.thread ? "↳ " : "# ") + c.name;
    b.className = c.thread ? "thread" : "channel";
    b.setAttribute("aria-current", String(c.id === state.current));
    b.onclick = async () => {{
      opened = null;
      await fetch(base + "/switch/" + c.id, {{method: "POST"}});
      refresh();
    }};
    return b;
  }}));
  if (state.url && state.url !== opened && window.herbotOpen !== false) {{
    opened = state.url;
    window.open(state.url, "herbot-preview");
  }}
}}
refresh();
setInterval(refresh, 1000);
</script></body></html>
"""


class Switcher:
    """Which channel the Preview shows; ``changed`` is set when a person picks another."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.key = secrets.token_urlsafe(16)
        self.target: Any = world.channel
        self.url: str | None = None
        self.changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    def channels(self) -> list[tuple[Any, bool]]:
        """``(channel, is_thread)``: each text channel followed by its threads (newest last)."""
        found: list[tuple[Any, bool]] = []
        for channel in self.world.guild.channels.values():
            threads = getattr(channel, "threads", None)
            if threads is None:
                continue  # not a text channel
            found.append((channel, False))
            found.extend((thread, True) for thread in threads)
        return found

    @property
    def target_name(self) -> str:
        """What the Preview shows, as a person names it: ``#channel`` or ``thread 'name'``."""
        threads = {c.id for c, thread in self.channels() if thread}
        name = self.target.name
        return f"thread '{name}'" if self.target.id in threads else f"#{name}"

    def state(self) -> dict[str, Any]:
        return {
            "current": str(self.target.id),
            "url": self.url,
            "channels": [
                {"id": str(c.id), "name": c.name, "thread": thread} for c, thread in self.channels()
            ],
        }

    def show(self, url: str, target: Any) -> None:
        self.url, self.target = url, target
        self.changed.clear()

    def pick(self, channel_id: int) -> bool:
        for channel, _ in self.channels():
            if channel.id == channel_id:
                if channel.id != self.target.id:
                    self.target = channel
                    self.url = None
                    self.changed.set()
                return True
        return False

    @property
    def page_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.key}/"

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_get(f"/{self.key}/", self._page)
        app.router.add_get(f"/{self.key}/state", self._state)
        app.router.add_post(f"/{self.key}/switch/{{channel}}", self._switch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _page(self, request: web.Request) -> web.Response:
        text = PAGE.format(guild=html.escape(self.world.guild.name))
        return web.Response(text=text, content_type="text/html")

    async def _state(self, request: web.Request) -> web.Response:
        return web.Response(text=json.dumps(self.state()), content_type="application/json")

    async def _switch(self, request: web.Request) -> web.Response:
        raw = request.match_info["channel"]
        if not raw.isdigit() or not self.pick(int(raw)):
            raise web.HTTPNotFound(text="no such channel or thread")
        return web.Response(text=json.dumps(self.state()), content_type="application/json")
