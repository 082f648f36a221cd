"""/privacy through the real bot: choices stored, features' hooks run, counts reported."""

from __future__ import annotations

from bot import privacy


async def test_opt_out_runs_feature_hooks_and_reports_counts(world):
    calls = []

    async def withdraw(db, user_id):
        calls.append(user_id)
        return 2

    world.bot.privacy_hooks.on_opt_out["record"]["recorded messages"] = withdraw
    result = await world.alice.slash(world.channel, "privacy opt-out", scope="recording")
    assert result.ephemeral
    assert "2 recorded messages" in result.response.content
    assert calls == [world.alice.id]
    assert await privacy.is_opted_out(world.db, world.alice.id, "record")
    assert not await privacy.is_opted_out(world.db, world.alice.id, "quote")

    status = await world.alice.slash(world.channel, "privacy status")
    assert "🚫 off — recording" in status.response.content

    await world.alice.slash(world.channel, "privacy opt-in", scope="both")
    assert not await privacy.is_opted_out(world.db, world.alice.id, "record")


async def test_forget_me_asks_first_and_only_the_asker_can_confirm(world):
    async def forget(db, user_id):
        return 3

    world.bot.privacy_hooks.forgetters["pending quote submissions"] = forget
    shown = await world.bob.slash(world.channel, "privacy forget-me")
    assert "cannot be undone" in shown.response.content
    done = await world.bob.click(shown.response, label="Yes, delete my data")
    assert "Removed 3 pending quote submissions" in done.response.content
