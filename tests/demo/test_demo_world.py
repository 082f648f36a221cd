"""The demo's world and its real-time loop, through the real bot, without a browser."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import aiohttp
import discord
import pytest

from bot import guild_settings
from bot.config import ConfigError
from bot.prepare import prepare_database
from demo.realtime import RealTime
from demo.runner import demo_database_path, demo_env, run_demo, template_path
from demo.world import CHANNEL_NAME, GUILD_NAME, OPENING, WELCOME, build_demo_world


class FakeMonotonic:
    """Real elapsed time, under the test's control (tests never sleep real time)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_world_is_a_small_configured_community(simcord_env):
    world = await build_demo_world(simcord_env)

    assert world.guild.name == GUILD_NAME
    assert world.channel.name == CHANNEL_NAME
    assert [v.name for v in world.viewers] == ["theodore", "amy", "catherine", "paul", "charles"]
    assert world.bot.user.name == "herbot"
    db, guild_id = world.bot.db, world.guild.id
    assert await guild_settings.get(db, guild_id, "moderator_role_id") == world.moderator_role.id
    assert await guild_settings.get(db, guild_id, "qotd_channel_id") == world.channel.id
    # The owner's set-up replies are ephemeral: members see the conversation (and whatever
    # the features announce, e.g. that the channel is recorded).
    history = world.channel.history(viewer=world.members[0])
    assert [m.content for m in history if not m.author.bot] == [text for _, text in OPENING]
    assert not any(m.flags.ephemeral for m in history)
    assert "settings show" in world.owner.available_commands(world.channel)
    assert "settings show" not in world.members[0].available_commands(world.channel)


async def test_slash_command_and_button_work_in_the_seeded_channel(simcord_env):
    world = await build_demo_world(simcord_env)
    theodore, amy = world.members[0], world.members[1]

    shown = await theodore.slash(world.channel, "help")
    assert shown.ephemeral
    assert any("/privacy forget-me" in f.value for f in shown.response.embeds[0].fields)

    asked = await amy.slash(world.channel, "privacy forget-me")
    assert "cannot be undone" in asked.response.content
    cancelled = await amy.click(asked.response, label="Cancel")
    assert cancelled.response.content == "Nothing was deleted."

    settings = await world.owner.slash(world.channel, "settings show")
    assert f"<#{world.channel.id}>" in settings.response.content


async def test_the_first_message_explains_the_page_composer(simcord_env):
    """Three quirks of simcord's page (not herbot) looked like herbot's bugs: Enter picks a
    suggestion, the page does not scroll to a new reply, the trash icon seems to do nothing.
    The channel's first message says so, with the way around each."""
    world = await build_demo_world(simcord_env)
    first = world.channel.history(viewer=world.members[0])[0]
    assert first.content == WELCOME
    assert "Type `/` below" in first.content
    for quirk, way_around in (
        ("Enter picks the highlighted suggestion", "press **Esc**"),
        ("does not always scroll to a new reply", "scroll down"),
        ("trash icon", "reload the page"),
    ):
        assert quirk in first.content and way_around in first.content


async def test_a_deleted_message_leaves_the_tombstone_the_welcome_points_to(simcord_env):
    world = await build_demo_world(simcord_env)
    if world.bot.tree.get_command("transcript") is None:
        pytest.skip("no /transcript command on this build (the threads feature adds it)")
    theodore, channel = world.members[0], world.channel
    said = await theodore.send(channel, "On second thought, never mind.")
    await theodore.delete(said)
    shown = await theodore.slash(channel, "transcript stats", thread=str(channel.id))
    deleted = {f.name: f.value for f in shown.response.embeds[0].fields}["Deleted"]
    assert deleted == "1"
    exported = await theodore.slash(
        channel, "transcript export", thread=str(channel.id), format="md"
    )
    markdown = (await exported.response.attachments[0].read()).decode()
    assert "message deleted" in markdown and "never mind" not in markdown


class PageClient:
    """A browser page's side of simcord's Preview protocol (version 3), over loopback HTTP."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        origin, _, capability = url.partition("/#")
        self.http, self.origin = http, origin
        self.headers = {"X-Simcord-Capability": capability}
        self.context: str | None = None
        self.sequence = 0

    async def open(self) -> dict:
        async with self.http.post(f"{self.origin}/api/pages", json={}, headers=self.headers) as r:
            state = await r.json()
        self.context = state["context"]["id"]
        self.headers["X-Simcord-Context"] = self.context
        return state

    async def state(self) -> dict:
        async with self.http.get(f"{self.origin}/api/state", headers=self.headers) as r:
            return await r.json()

    async def commands(self) -> dict:
        async with self.http.get(f"{self.origin}/api/commands", headers=self.headers) as r:
            return await r.json()

    async def action(self, kind: str, **fields: object) -> dict:
        state = await self.state()
        self.sequence += 1
        envelope = {
            "protocol_version": 3,
            "generation": state["context"]["generation"],
            "bot_generation": state["botGeneration"],
            "published_revision": state["publishedRevision"],
            "sequence": self.sequence,
            "request_id": f"test-{self.sequence}",
            "kind": kind,
            **fields,
        }
        async with self.http.post(
            f"{self.origin}/api/action", json=envelope, headers=self.headers
        ) as r:
            return await r.json()

    async def send_message(self, content: str) -> dict:
        return await self.action("send_message", content=content)

    async def run_command(self, invocation: str, **options: object) -> dict:
        """Run ``/invocation`` from the composer, as the page's current viewer."""
        entry = await self._entry(invocation)
        return await self.action(
            "run_command",
            command_id=entry["commandId"],
            path=entry["path"],
            schema_fingerprint=entry["schemaFingerprint"],
            options=options,
        )

    async def _entry(self, invocation: str) -> dict:
        catalog = await self.commands()
        entries = catalog.get("entries") or catalog.get("commands") or []
        return next(e for e in entries if e["invocation"] == invocation)

    async def autocomplete(self, invocation: str, focused: str, value: str) -> dict:
        entry = await self._entry(invocation)
        return await self.action(
            "autocomplete_command",
            command_id=entry["commandId"],
            path=entry["path"],
            schema_fingerprint=entry["schemaFingerprint"],
            focused=focused,
            value=value,
            options={},
        )


async def test_clock_follows_real_time_and_pages_refresh_only_when_behind(simcord_env):
    world = await build_demo_world(simcord_env)
    env, theodore = simcord_env, world.members[0]
    real = FakeMonotonic()
    clock = RealTime(env, monotonic=real)
    start = env.now()
    async with (
        env.preview(world.channel, viewers=world.viewers, layout="channel") as preview,
        aiohttp.ClientSession() as http,
    ):
        clock.watch(preview)
        page = PageClient(http, preview.url)
        revision = (await page.open())["publishedRevision"]

        async def page_revision() -> int:
            return (await page.state())["publishedRevision"]

        real.now += 1.5
        assert not await clock.tick()  # time passed, nothing happened: no refresh
        assert env.now() - start == timedelta(seconds=1.5)
        assert await page_revision() == revision

        said = await theodore.send(world.channel, "Is it a love story at all?")
        real.now += 0.5
        assert await clock.tick()  # the page had not seen Theodore's message
        state = await page.state()
        assert state["publishedRevision"] == revision + 1
        assert str(said.id) in state["messages"]
        real.now += 0.5
        assert not await clock.tick()

        # The page's own action republishes that page: refreshing again would only make
        # its next click stale.
        receipt = await page.send_message("Typed in the page")
        assert not receipt["rejected"] and receipt["settlement"] == "settled", receipt
        revision = await page_revision()
        real.now += 0.5
        assert not await clock.tick()
        assert await page_revision() == revision

        # Autocomplete while typing a command changes nothing the page shows: no refresh,
        # which would interrupt the person typing.
        answered = await page.autocomplete("quote show", "id", "saman")
        assert not answered["rejected"] and answered["result"]["answered"], answered
        real.now += 0.5
        assert not await clock.tick()
        assert await page_revision() == revision

        # A poll's deadline passes only because the clock follows real time.
        channel = world.bot.get_channel(world.channel.id)
        poll = discord.Poll(question="Tragedy or graduation?", duration=timedelta(hours=1))
        poll.add_answer(text="Tragedy").add_answer(text="Graduation")
        posted = await channel.send(poll=poll)
        real.now += 0.5
        assert await clock.tick()
        assert not world.channel.last_message.poll.is_finalised()
        real.now += 3600
        assert await clock.tick()
        assert world.channel.last_message.id == posted.id
        assert world.channel.last_message.poll.is_finalised()
        assert clock.refreshes == 3
        assert await page_revision() == revision + 2
        assert env.now() - start == timedelta(seconds=3604)


async def test_a_page_action_arriving_mid_tick_waits_for_it(simcord_env):
    """Without turns, simcord refuses the overlap outside its busy check: the page gets no
    answer and its composer stays stuck."""
    world = await build_demo_world(simcord_env)
    clock = RealTime(simcord_env, monotonic=FakeMonotonic())
    async with (
        simcord_env.preview(world.channel, viewers=world.viewers, layout="channel") as preview,
        aiohttp.ClientSession() as http,
    ):
        clock.watch(preview)
        sync = clock._sync
        page = PageClient(http, preview.url)
        await page.open()
        async with sync.lock:  # what a tick holds while it advances the clock
            action = asyncio.create_task(page.send_message("typed mid-tick"))

            async def arrived() -> None:
                while not sync.waiting:  # noqa: ASYNC110 - yield until the request arrives
                    await asyncio.sleep(0)

            await asyncio.wait_for(arrived(), timeout=10)
            await simcord_env.advance_time(1)  # the tick's own operation, unhindered
            assert world.channel.last_message.content != "typed mid-tick"
        receipt = await action
        assert not receipt["rejected"] and receipt["settlement"] == "settled", receipt
        assert world.channel.last_message.content == "typed mid-tick"


@pytest.mark.sqlite_only  # the demo copies its SQLite template file
async def test_run_demo_serves_sessions_until_stopped(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    stop = asyncio.Event()
    sessions: list[tuple[str, int]] = []
    databases: list[Path] = []

    async def end_first_session(preview) -> None:
        await preview.close()  # what "More → End preview session" does

    def on_session(preview, number: int, world) -> None:
        sessions.append((preview.url, number))
        databases.append(Path(world.bot.settings.database))
        if number == 1:
            asyncio.get_running_loop().create_task(end_first_session(preview))
        else:
            stop.set()

    code = await asyncio.wait_for(
        run_demo(settings, open_browser=False, stop=stop, on_session=on_session, tick=0.05),
        timeout=60,
    )
    assert code == 0
    assert [n for _, n in sessions] == [1, 2]
    assert sessions[0][0] != sessions[1][0]  # a new session has a new key
    assert databases[0] != settings.database
    assert not databases[0].exists()  # the temporary demo database is gone
    # ...but a copy from before the community existed starts the next run faster.
    assert template_path() == tmp_path / "cache" / "herbot" / "demo-template.db"
    template = await prepare_database(replace(settings, database=template_path()))
    try:
        async with template.execute("SELECT count(*) FROM guild_settings") as cur:
            assert (await cur.fetchone())[0] == 0  # none of the demo's own data
    finally:
        await template.close()


class Printed:
    """What the demo printed so far, stdout and stderr apart, polled until a bound."""

    def __init__(self, capsys) -> None:
        self.capsys = capsys
        self.out = self.err = ""

    async def wait(self, stream: str, pattern: str, count: int = 1, bound: float = 120) -> list:
        """Every match of ``pattern`` in ``stream``, once there are ``count``."""
        deadline = time.monotonic() + bound
        while True:
            captured = self.capsys.readouterr()
            self.out += captured.out
            self.err += captured.err
            found = re.findall(pattern, getattr(self, stream), flags=re.MULTILINE)
            if len(found) >= count:
                return found
            assert time.monotonic() < deadline, f"never printed {pattern!r}:\n{self.err}"
            await asyncio.sleep(0.05)  # let the demo run; a bound, not a timing


@pytest.mark.sqlite_only  # the demo copies its SQLite template file
async def test_each_new_page_session_prints_its_link(settings, tmp_path, monkeypatch, capsys):
    """Ending the page's session (or picking a channel) printed "New page session 2 on the
    same server:" and nothing after the colon; docs/demo.md says the new link is printed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    stop = asyncio.Event()
    demo = asyncio.create_task(run_demo(settings, open_browser=False, stop=stop, tick=0.05))
    printed = Printed(capsys)
    try:
        [switcher] = await printed.wait("out", r"^  Open (http://\S+/)$")
        async with aiohttp.ClientSession() as http:
            async with http.get(switcher + "state") as r:
                first = (await r.json())["url"]
            page = PageClient(http, first)
            await page.open()
            await page.action("close")  # what "More → End preview session" does
            [showing] = await printed.wait("err", r"^New page session 2 on the same server, (.*):$")
            links = await printed.wait("out", r"^  Open (\S+)$", count=2)
            async with http.get(switcher + "state") as r:
                second = (await r.json())["url"]
        assert showing.startswith("showing #her-discussion")
        assert links == [switcher, second] and second != first  # the new session's own link
    finally:
        stop.set()
        assert await asyncio.wait_for(demo, timeout=60) == 0


async def test_a_refusal_is_a_reply_in_the_page_not_a_failed_action(
    settings, tmp_path, monkeypatch
):
    """A polite refusal showed as a failure in the page: "Action outcome uncertain. It will
    not be retried." and the Inspector's red "The bot action failed". simcord records every
    error that reaches the command tree's handler, and its Preview marks the action during
    which one was recorded as failed, however the bot answered it (demo/refusals.py)."""
    async with (
        demo_env(settings, tmp_path / "demo.db") as (env, world),
        env.preview(world.channel, viewers=world.viewers, layout="channel") as preview,
        aiohttp.ClientSession() as http,
    ):
        await world.moderator.slash(world.channel, "quote remove", id="film-cast-samantha")
        page = PageClient(http, preview.url)
        await page.open()  # as Theodore, a member
        refusals = {
            "quote search": ({"text": "xyzzy plugh"}, "No quote matches"),
            "poll close": ({"poll": "1"}, "Only moderators"),
            "quote show": ({"id": "film-cast-samantha"}, "film-cast-samantha"),
        }
        for invocation, (options, words) in refusals.items():
            if world.bot.tree.get_command(invocation.split()[0]) is None:
                continue  # a build without that feature
            receipt = await page.run_command(invocation, **options)
            assert not receipt["rejected"], str(receipt)
            assert receipt["settlement"] == "settled" and not receipt["uncertain"], receipt
            assert receipt["diagnostics"] == [], receipt
            reply = world.channel.history(viewer=world.members[0])[-1]
            assert reply.flags.ephemeral and words in reply.content, reply.content
        assert env.errors == []

        # Anything unexpected still shows as the failure it is.
        def broken(*args, **kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(discord.Embed, "add_field", broken)  # /herbot about draws one
        receipt = await page.run_command("herbot about")
        assert receipt["settlement"] == "failed", receipt
        [error] = env.errors
        assert isinstance(error.original, RuntimeError)
        reply = world.channel.history(viewer=world.members[0])[-1]
        assert "Something went wrong on my side" in reply.content


async def test_features_warm_up_before_the_bot_starts(settings, tmp_path):
    config = replace(settings, features=(*settings.features, "tests.demo.warm_feature"))
    async with demo_env(config, tmp_path / "demo.db") as (_, world):
        assert world.bot.warmed_before_setup


def test_demo_refuses_the_production_database(settings):
    with (
        pytest.raises(ConfigError, match="own database"),
        demo_database_path(settings, settings.database),
    ):
        pass
