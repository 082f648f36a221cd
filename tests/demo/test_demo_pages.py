"""The demo page keeps loading after many reloads (simcord's 16-page limit per session)."""

from __future__ import annotations

import time

import aiohttp

from demo.pages import IDLE_SECONDS, make_room
from demo.world import build_demo_world
from tests.demo.test_demo_world import PageClient


async def _open(http, url) -> bool:
    origin, _, capability = url.partition("/#")
    async with http.post(
        f"{origin}/api/pages", json={}, headers={"X-Simcord-Capability": capability}
    ) as r:
        return r.status == 200


async def test_reloads_do_not_exhaust_the_page_limit(simcord_env):
    world = await build_demo_world(simcord_env)
    async with (
        simcord_env.preview(world.channel, viewers=world.viewers, layout="channel") as preview,
        aiohttp.ClientSession() as http,
    ):
        limit = preview._MAX_PAGES
        # Reload after reload, each leaving its page behind (its goodbye lost).
        for _ in range(limit):
            assert await _open(http, preview.url)
        assert not await _open(http, preview.url)  # what used to show "Unavailable channel"

        live = PageClient(http, preview.url)
        pages = [p for p in preview._pages.values() if p is not preview._python]
        for page in pages:  # the reloaded-away pages have been silent for a while
            page.last_activity = time.monotonic() - IDLE_SECONDS - 1
        newest = pages[-1]
        newest.last_activity = time.monotonic()  # the tab still open keeps polling
        assert make_room(preview) == limit - 1
        assert newest.id in preview._pages
        assert (await live.open())["context"]["id"]  # the next reload loads


async def test_make_room_leaves_a_session_with_room_alone(simcord_env):
    world = await build_demo_world(simcord_env)
    async with simcord_env.preview(
        world.channel, viewers=world.viewers, layout="channel"
    ) as preview:
        assert make_room(preview) == 0
        assert preview._PAGE_LEASE_SECONDS == 600.0
