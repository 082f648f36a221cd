"""/privacy through the real bot: choices stored, every feature's part run, counts reported."""

from __future__ import annotations

import pytest

from bot import privacy
from bot.feature import Feature, Privacy


async def _noop_setup(bot) -> None:
    return None


def _probe_feature(calls: list, *, fail_forget: bool = False) -> Feature:
    async def status(db, user_id):
        return {"probe rows": 3}

    async def forget(tx, user_id):
        await tx.execute(
            "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, 'probe', 'x')", (user_id,)
        )
        calls.append(("forget", user_id))
        if fail_forget:
            raise RuntimeError("the probe failed half-way")
        return {"probe rows": 3}

    async def opt_out(tx, user_id, scope):
        calls.append(("opt_out", user_id, scope))
        return {"recorded message[s]": 2} if scope == "record" else {}

    return Feature(
        name="probe",
        description="a test feature",
        setup=_noop_setup,
        privacy=Privacy(forget=forget, status=status, opt_out=opt_out),
    )


async def test_opt_out_runs_every_features_part_and_reports_counts(world):
    calls: list = []
    world.bot.features = (*world.bot.features, _probe_feature(calls))
    result = await world.alice.slash(world.channel, "privacy opt-out", scope="recording")
    assert result.ephemeral
    assert "2 recorded messages" in result.response.content
    assert ("opt_out", world.alice.id, "record") in calls
    assert await privacy.is_opted_out(world.db, world.alice.id, "record")
    assert not await privacy.is_opted_out(world.db, world.alice.id, "quote")

    status = await world.alice.slash(world.channel, "privacy status")
    assert "🚫 off — recording" in status.response.content
    assert "3 probe rows" in status.response.content

    await world.alice.slash(world.channel, "privacy opt-in", scope="both")
    assert not await privacy.is_opted_out(world.db, world.alice.id, "record")


async def test_forget_me_asks_first_and_reports_what_was_removed(world):
    calls: list = []
    world.bot.features = (*world.bot.features, _probe_feature(calls))
    shown = await world.bob.slash(world.channel, "privacy forget-me")
    assert "cannot be undone" in shown.response.content
    assert "3 probe rows" in shown.response.content
    done = await world.bob.click(shown.response, label="Yes, delete my data")
    assert "3 probe rows" in done.response.content
    assert ("forget", world.bob.id) in calls


async def test_a_forget_me_that_fails_half_way_keeps_nothing_half_done(world):
    calls: list = []
    world.bot.features = (*world.bot.features, _probe_feature(calls, fail_forget=True))
    with pytest.raises(RuntimeError):
        await privacy.forget(world.db, world.bot.features, world.bob.id)
    assert ("forget", world.bob.id) in calls
    probe = await world.db.fetchval("SELECT count(*) FROM guild_settings WHERE key = 'probe'")
    assert probe == 0  # the whole forget rolled back: every feature's part, not just one
