"""The motion veto through the real bot: an Asian Parliamentary debate whose sides strike two of
three motions (refusals with their reasons, a restart in the middle), the motion left opening
its pre-debate vote and preparation; the veto's time running out; the rules directly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cogs.debate import store, veto
from cogs.polls import store as poll_store
from tests.debate.test_debate_cog import count, ctl
from tests.helpers import find, panel_text, texts, vote_message

MOTIONS = "samantha-ending-warning; her-tweet-fair"


async def start_veto(world, fmt="asian-parliamentary", motions=MOTIONS):
    world.bot.get_cog("Debates")._panel_budget.edits = 10_000
    return await world.mod.slash(
        world.channel, "debate start", motion="altman-misreads-her", format=fmt, veto=motions
    )


def veto_message(thread):
    found = find(thread, lambda m: (m.content or "").startswith("📜 **Motion veto**"))
    assert found, "no motion veto in the thread"
    return found[-1]


async def test_ap_motion_veto_strikes_restart_and_the_motion_left(world):
    opened = await start_veto(world)
    assert opened.ephemeral and "motion veto" in opened.response.content
    thread = world.channel.threads[-1]
    assert "motion veto" in thread.name
    message = veto_message(thread)
    assert "**1.** This house believes Sam Altman misreads *Her*" in message.content
    assert "**3.** This house believes the one-word" in message.content
    assert not find(thread, lambda m: m.embeds and "debate vote" in (m.embeds[0].title or ""))

    early = await ctl(world.mod, thread, "Next phase")
    assert early.ephemeral and "The motion veto comes first" in early.response.content
    nobody = await world.alice.click(message, label="Strike 1")
    assert nobody.ephemeral and "Join a side first" in nobody.response.content

    await ctl(world.alice, thread, "Speak For")
    await ctl(world.bob, thread, "Speak Against")
    struck = await world.alice.click(message, label="Strike 1")
    assert struck.ephemeral and "You struck motion 1 for the For side" in struck.response.content
    assert count(thread, "The For side strikes motion 1") == 1
    again = await world.alice.click(message, label="Strike 2")
    assert "The For side struck motion 1 already" in again.response.content

    await world.restart()  # the veto is in the database; its buttons are persistent
    taken = await world.bob.click(veto_message(thread), label="Strike 1")
    assert "Motion 1 is struck already (by the other side)" in taken.response.content
    await world.bob.click(veto_message(thread), label="Strike 3")

    chosen = "This house believes *Her* is a warning, not a blueprint"
    assert (
        count(thread, f"**The motion** (motion 2; Against struck 3, For struck 1): {chosen}") == 1
    )
    assert not veto_message(thread).components  # the strike buttons are gone
    debate = await store.get_debate(world.db, 1)
    assert debate.motion == chosen and debate.state.phase == "prep"
    pre = await poll_store.get_poll(world.db, debate.pre_poll_id)
    assert pre.question == chosen and pre.is_open
    assert any("Preparation: 30 minutes" in t for t in texts(thread))
    assert "**Phase:** Preparation" in panel_text(thread)
    await world.members[2].click(vote_message(thread, "pre"), label="For")
    await world.env.advance_time(30 * 60)
    assert count(thread, "Preparation time is over") == 1


async def test_a_veto_nobody_finishes_debates_the_first_motion_left(world):
    await start_veto(world, "world-schools")
    thread = world.channel.threads[-1]
    await ctl(world.alice, thread, "Speak Against")
    await world.alice.click(veto_message(thread), label="Strike 1")
    await world.env.advance_time(120)
    await world.restart()  # the veto's timer is re-armed from its stored deadline
    await world.env.advance_time(veto.VETO_SECONDS - 120)
    assert count(thread, "**The motion** (motion 2; Against struck 1)") == 1
    assert any("the veto's time is up" in t for t in texts(thread))
    assert (await store.get_debate(world.db, 1)).state.phase == "prep"


async def test_veto_refusals_at_start(world):
    oxford = await world.mod.slash(
        world.channel, "debate start", motion="altman-misreads-her", veto=MOTIONS
    )
    assert "has no motion veto" in oxford.response.content
    short = await start_veto(world, motions="her-tweet-fair")
    assert "takes 3 motions" in short.response.content
    same = await start_veto(world, motions="her-tweet-fair; altman-misreads-her")
    assert "must differ" in same.response.content
    assert await world.db.fetchval("SELECT count(*) FROM debates") == 0
    assert len(world.user_errors()) == 3


def test_strike_rules():
    when = datetime(2026, 12, 7, tzinfo=UTC)
    v = veto.Veto(1, ("A", "B", "C"), when)
    assert veto.outcome(v, timed_out=False) is None
    assert veto.outcome(v, timed_out=True) == 0
    v = veto.Veto(1, ("A", "B", "C"), when, {"for": 0, "against": 2})
    assert veto.outcome(v, timed_out=False) == 1
    with pytest.raises(veto.VetoError, match="struck motion 1 already"):
        veto.check_strike(veto.Veto(1, ("A", "B", "C"), when, {"for": 0}), "for", 1)
    with pytest.raises(veto.VetoError, match="The motion veto is over"):
        veto.check_strike(veto.Veto(1, ("A", "B", "C"), when, chosen=1), "for", 0)
    with pytest.raises(veto.VetoError, match="not in this veto"):
        veto.check_strike(veto.Veto(1, ("A", "B", "C"), when), "for", 5)
