"""The first hour, polished: what a new member and moderator read, each as a test that
failed before its fix (shares that disagree, raw mention markup, "1 quotes", a button that
did not say what it did, a search hit that hid the message's current text)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json

import pytest

from bot.cli import main
from bot.pacing import EditBudget
from cogs.debate import charts as debate_charts
from cogs.polls import charts, ranked_chart
from cogs.quotes import review_store
from tests import cards
from tests.helpers import debate_thread, panel, vote_message, with_embed_title
from tests.polls.test_poll_kinds import rank
from tests.threads.conftest import flush, make_thread


@pytest.fixture
def drawn(monkeypatch):
    """Every chart figure drawn, as (its texts, its vote-axis ticks), in drawing order."""
    found: list[tuple[list[str], list[float]]] = []

    def spy(png):
        def draw(fig):
            data = png(fig)  # saving draws it: the ticks are the ones in the image
            (ax,) = fig.axes
            votes = ax.get_xaxis() if ax.get_xlabel().startswith("votes") else ax.get_yaxis()
            lo, hi = votes.get_view_interval()
            ticks = [t for t in votes.get_majorticklocs() if lo <= t <= hi]
            found.append(([t.get_text() for t in ax.texts], ticks))
            return data

        return draw

    for module in (charts, ranked_chart, debate_charts):
        monkeypatch.setattr(module, "png_bytes", spy(module.png_bytes))
    return found


async def _poll(world, **options):
    result = await world.mod.slash(world.channel, "poll create", **options)
    assert result.ephemeral and "is open until" in result.response.content
    message = with_embed_title(world.channel, "Poll #")[-1]
    return int(message.embeds[0].title.split("#")[1].split()[0]), message


async def test_a_three_way_tie_reads_34_33_33_everywhere(world, drawn):
    poll_id, message = await _poll(world, motion="Best scene?", options="Beach; Letter; Ending")
    for member, option in zip(world.members, ("Beach", "Letter", "Ending"), strict=True):
        await member.click(message, label=option)
    await world.mod.slash(world.channel, "poll close", poll=poll_id)

    shown = cards.text(world.channel.last_message)
    expected = ["**Beach** — 1 (34%)", "**Letter** — 1 (33%)", "**Ending** — 1 (33%)"]
    assert all(line in shown for line in expected), shown
    (texts, ticks) = drawn[-1]
    assert texts == [" 1 (34%)", " 1 (33%)", " 1 (33%)"]  # the chart's labels, top to bottom
    assert ticks and all(t == int(t) for t in ticks), ticks  # whole votes: no 0.2 ticks

    exported = await world.mod.slash(world.channel, "poll export", poll=poll_id, format="csv")
    rows = list(
        csv.DictReader(io.StringIO((await exported.response.attachments[0].read()).decode()))
    )
    assert [row["percent"] for row in rows] == ["34", "33", "33"]
    exported = await world.mod.slash(world.channel, "poll export", poll=poll_id, format="json")
    data = json.loads(await exported.response.attachments[0].read())
    assert [o["percent"] for o in data["options"]] == [34, 33, 33]


async def test_a_ranked_result_chart_counts_whole_votes(world, drawn):
    poll_id, message = await _poll(
        world, motion="Best season?", options="Spring; Summer", kind="ranked"
    )
    for member, first in zip(world.members[:2], ("Spring", "Summer"), strict=True):
        await rank(member, message, [first])
    await world.mod.slash(world.channel, "poll close", poll=poll_id)
    (_, ticks) = drawn[-1]
    assert ticks and all(t == int(t) for t in ticks), ticks


async def _debate_to_the_end(world, plan):
    """A debate through every phase; ``plan`` is each member's (before, after) side."""
    world.bot.get_cog("Debates")._panel_budget = EditBudget(edits=10_000)
    await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    thread = debate_thread(world)
    for member, (before, _) in zip(world.members, plan, strict=True):
        await member.click(vote_message(thread, "pre"), label=before)
    for _ in range(7):
        await world.mod.click(panel(thread), label="Next phase")
    for member, (_, after) in zip(world.members, plan, strict=True):
        await member.click(vote_message(thread, "post"), label=after)
    await world.mod.click(panel(thread), label="Next phase")
    return thread


async def test_a_debates_three_way_tie_adds_up_to_100(world, drawn):
    sides = ("For", "Against", "Undecided")
    thread = await _debate_to_the_end(world, [(s, s) for s in sides])
    result = with_embed_title(thread, "Debate #1 result")[-1].embeds[0]
    assert result.fields[0].value.splitlines() == [
        "**For** 34% → 34% (+0 pts)",
        "**Against** 33% → 33% (+0 pts)",
        "**Undecided** 33% → 33% (+0 pts)",
    ]
    (texts, _) = drawn[-1]
    assert sorted(texts) == sorted(["34%", "33%", "33%"] * 2)

    out = io.StringIO()
    argv = ["--db", str(world.settings.database), "debate", "results", "1", "--json"]
    with contextlib.redirect_stdout(out):  # the CLI runs its own event loop: another thread
        assert await asyncio.to_thread(main, argv) == 0
    shares = json.loads(out.getvalue())["shares"]
    assert [shares[s]["pre"] for s in ("for", "against", "undecided")] == [33.4, 33.3, 33.3]


async def test_the_review_card_names_members_in_words(world):
    said = await world.bob.send(world.channel, "The ending is kind, not cruel.")
    await world.alice.context_menu(world.channel, "Save as quote", said)
    review = await world.mod.slash(world.channel, "quote review")
    (embed,) = review.response.embeds
    who = next(f for f in embed.fields if f.name == "From").value
    assert "submitted by alice" in who and "words of bob" in who, who
    (q,) = await review_store.pending(world.db, world.guild.id)
    decided = await world.mod.click(
        review.response.message, custom_id=f"herbot:quote:approve:{q.id}"
    )
    (embed,) = decided.response.embeds
    decision = next(f for f in embed.fields if f.name == "Decision").value
    assert "by mod" in decision, decision


async def test_record_status_of_a_debate_thread_says_it_started_by_itself(world):
    await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    thread = debate_thread(world)
    await world.alice.send(thread, "First!")
    status = await world.alice.slash(thread, "record status")
    text = status.response.content
    assert "started by automatically" not in text
    assert "started automatically (debate)" in text, text
    assert "\n1 message kept." in text, text


async def test_counts_agree_with_their_number_and_forget_me_lists_one_row_once(world):
    own = await world.alice.send(world.channel, "Zygomorphic lanterns hum over the bay.")
    saved = await world.alice.context_menu(world.channel, "Save as quote", own)
    assert "for review" in saved.response.content

    status = (await world.alice.slash(world.channel, "privacy status")).response.content
    assert "1 quote of your words" in status, status
    assert "quotes" not in status.split("Kept about you now:")[1].split("of your words")[0]
    assert "you submitted" not in status  # the same row, not a second one

    asked = await world.alice.slash(world.channel, "privacy forget-me")
    listed = asked.response.content
    assert "1 quote of your words" in listed and "you submitted" not in listed, listed
    done = (await world.alice.click(asked.response, label="Yes, delete my data")).response
    assert "Removed 1 quote of your words" in done.content, done.content
    assert not await world.db.fetchval(
        "SELECT count(*) FROM quotes WHERE author_id = ? OR submitted_by = ?",
        (world.alice.id, world.alice.id),
    )


async def test_call_next_says_who_was_called(world):
    world.bot.get_cog("Debates")._panel_budget = EditBudget(edits=10_000)
    await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    thread = debate_thread(world)
    await world.alice.click(panel(thread), label="Speak For")
    await world.mod.click(panel(thread), label="Next phase")
    called = await world.mod.click(panel(thread), label="Call next")
    assert called.ephemeral
    assert called.response.content == f"Called: <@{world.alice.id}> speaks For."


async def test_search_of_an_edited_message_shows_its_current_text(world):
    thread = await make_thread(world)
    await world.mod.slash(thread, "record start")
    sent = await world.alice.send(thread, "Theodore is the protagonist of a lonely city")
    await world.alice.edit(sent, "Theodore is the hero of a lonely city")
    await flush(world)
    found = await world.bob.slash(thread, "transcript search", query="protagonist")
    (field,) = found.response.embeds[0].fields
    assert "Theodore is the hero of a lonely city" in field.value, field.value
    assert "protagonist" not in field.value.split("\n")[0]
    assert "*Matched an earlier version (1 of 2): edited since.*" in field.value, field.value

    now = await world.bob.slash(thread, "transcript search", query="hero")
    (field,) = now.response.embeds[0].fields
    assert field.value.startswith("Theodore is the hero of a lonely city\n*(edited)*")
