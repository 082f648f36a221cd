"""The live debate panel: a Components V2 layout redrawn in place, within Discord's edit rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.pacing import EditBudget
from tests.debate.test_debate_cog import ctl, start
from tests.helpers import panel, panel_text


async def test_panel_shows_phase_floor_queues_and_a_live_timer(world):
    m = await world.add_members(3)
    thread = await start(world)
    message = panel(thread)
    assert message.flags.components_v2 and not message.embeds
    text = panel_text(thread)
    assert text.startswith("## Debate #1\n**This house believes Sam Altman misreads *Her*")
    assert "**Phase:** Pre-debate vote" in text and "**Floor:** nobody" in text
    assert "**For queue (0):** nobody" in text and "**Questions (0):**\nnobody" in text

    await ctl(m[0], thread, "Speak For")
    await ctl(m[1], thread, "Speak Against")
    shown = await ctl(m[2], thread, "Ask a question")
    await m[2].submit_modal(shown, {"question": "Is Samantha ever really Theodore's?"})
    text = panel_text(thread)
    assert f"**For queue (1):** <@{m[0].id}>" in text
    assert f"**Against queue (1):** <@{m[1].id}>" in text
    assert f"1. <@{m[2].id}> — “Is Samantha ever really Theodore's?”" in text

    await ctl(world.mod, thread, "Next phase")
    await ctl(world.mod, thread, "Call next")
    text = panel_text(thread)
    assert f"**Floor:** <@{m[0].id}> speaks For" in text
    deadline = int((world.env.now() + timedelta(seconds=300)).timestamp())
    assert f"**Time left:** ends <t:{deadline}:R>" in text
    assert "-# Order: Pre-debate vote → **Opening statements: For**" in text


async def test_a_crowd_joining_at_once_is_drawn_within_the_edit_budget(world):
    crowd = await world.add_members(12)
    thread = await start(world, paced=True)  # the posted panel spent 1 of 5 edits
    for member in crowd:
        joined = await ctl(member, thread, "Speak For")
        assert "in the queue" in joined.response.content  # answered at once, every time
    assert "**For queue (4):**" in panel_text(thread)  # 4 more edits, then the budget is out
    await world.env.advance_time(5)  # one trailing redraw shows everyone
    assert "**For queue (12):**" in panel_text(thread)


def test_edit_budget_is_five_per_five_seconds_per_thread():
    budget, t0 = EditBudget(), datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(5):
        assert budget.wait(1, t0 + timedelta(seconds=i / 10)) == 0
        budget.spend(1, t0 + timedelta(seconds=i / 10))
    assert budget.wait(1, t0 + timedelta(seconds=1)) == 4.0
    assert budget.wait(2, t0 + timedelta(seconds=1)) == 0  # another thread has its own
    assert budget.wait(1, t0 + timedelta(seconds=5)) == 0
