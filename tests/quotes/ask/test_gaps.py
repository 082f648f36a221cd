"""/ask's loop through simcord: gaps for curators, taught answers, out of scope, ratings."""

from __future__ import annotations

import pytest

from bot.config import Settings
from cogs.quotes import review_store
from cogs.quotes.ask.ui import OUT_OF_SCOPE_TEXT, TAUGHT_NOTE
from tests import cards
from tests.quotes.ask.support import real_store, warm_vectors


@pytest.fixture(scope="module", autouse=True)
def _vectors() -> None:
    warm_vectors()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return real_store(settings)


def _blocks(result) -> list[str]:
    return [
        node["content"]
        for node in cards.walk(cards.components_of(result))
        if node["type"] == cards.TEXT_DISPLAY
    ]


DVD = "Where can I buy the DVD?"
DVD_AGAIN = "Where do I purchase the film on DVD?"  # other words, cosine 0.90
WEATHER = "What is the weather tomorrow?"
FORECAST = "What is the forecast for tomorrow?"  # cosine 0.81; /ask answers it by itself
ANSWER = "film-cast-samantha"


async def _ask(member, channel, question):
    result = await member.slash(channel, "ask", question=question)
    return result, _blocks(result)


async def _gaps(world):
    return await world.db.fetchall(
        "SELECT question, user_id, reason, status FROM ask_gaps ORDER BY id"
    )


async def test_a_declined_question_is_taught_and_the_next_member_is_answered(world):
    _, shown = await _ask(world.alice, world.channel, DVD)
    assert shown[1].startswith("Nothing in the quote store answers that.")
    await _ask(world.bob, world.channel, DVD.lower())
    assert [tuple(r) for r in await _gaps(world)] == [
        (DVD, world.alice.id, "declined", "open"),
        (DVD.lower(), world.bob.id, "declined", "open"),
    ]

    refused = await world.alice.slash(world.channel, "asked gaps")
    assert refused.ephemeral and "moderator" in refused.response.content.lower()
    assert len(world.user_errors()) == 1
    listing = await world.mod.slash(world.channel, "asked gaps")
    assert listing.ephemeral
    text = listing.response.content
    assert f"“{DVD}” — asked 2× by 2 members (declined)" in text  # one group of two
    assert cards.labels(listing.response) == [
        "1. Answer with a quote",
        "1. Out of scope",
        "1. Dismiss",
    ]

    form = await world.mod.click(listing.response, label="1. Answer with a quote")
    done = await world.mod.submit_modal(form, {"quote_id": ANSWER})
    assert done.ephemeral and f"answered with `{ANSWER}` in this server" in done.response.content
    assert {r["status"] for r in await _gaps(world)} == {"answered"}
    again = await world.mod.slash(world.channel, "asked gaps")
    assert again.response.content.startswith("No open knowledge gaps")

    # Another member, other words: answered with the taught quote, said so in the footer.
    _, shown = await _ask(world.members[2], world.channel, DVD_AGAIN)
    assert shown[1].startswith("**Best passage**") and f"`{ANSWER}`" in shown[1]
    assert TAUGHT_NOTE in shown[-1]
    assert len(await _gaps(world)) == 2  # a taught answer is no gap

    # Never in another server.
    other = world.env.create_guild("Another server")
    channel = other.create_text_channel("chat")
    stranger = other.add_member(world.env.create_user("stranger"))
    _, shown = await _ask(stranger, channel, DVD_AGAIN)
    assert shown[1].startswith("Nothing in the quote store answers that.")
    assert TAUGHT_NOTE not in shown[-1]


async def test_answered_with_a_new_quote_through_review(world):
    await _ask(world.alice, world.channel, DVD)
    listing = await world.mod.slash(world.channel, "asked gaps")
    form = await world.mod.click(listing.response, label="1. Answer with a quote")
    done = await world.mod.submit_modal(
        form, {"text": "Her is out on DVD and Blu-ray from Warner Bros.", "speaker": "mod"}
    )
    assert "once it is approved" in done.response.content
    (pending,) = await review_store.pending(world.db, world.guild.id)
    _, shown = await _ask(world.bob, world.channel, DVD_AGAIN)
    assert shown[1].startswith("Nothing in the quote store")  # not approved yet
    review = await world.mod.slash(world.channel, "quote review")
    await world.mod.click(review.response.message, custom_id=f"herbot:quote:approve:{pending.id}")
    _, shown = await _ask(world.bob, world.channel, DVD_AGAIN)
    assert "Warner Bros." in shown[1] and TAUGHT_NOTE in shown[-1]


async def test_answer_command_autocompletes_gaps_and_quotes(world):
    await _ask(world.alice, world.channel, DVD)
    gaps = await world.mod.autocomplete(world.channel, "asked answer", "gap", "dvd")
    assert [c["name"] for c in gaps] == [f"1× {DVD}"]
    quotes = await world.mod.autocomplete(world.channel, "asked answer", "quote", "Samantha")
    assert ANSWER in [c["value"] for c in quotes] and len(quotes) <= 25
    done = await world.mod.slash(world.channel, "asked answer", gap=gaps[0]["value"], quote=ANSWER)
    assert f"`{ANSWER}`" in done.response.content
    _, shown = await _ask(world.bob, world.channel, DVD_AGAIN)
    assert f"`{ANSWER}`" in shown[1]


async def test_out_of_scope_then_declines_and_dismiss_drops_a_group(world):
    _, shown = await _ask(world.alice, world.channel, FORECAST)
    assert shown[1].startswith("**Best passage**")  # answered with something unrelated
    await _ask(world.alice, world.channel, WEATHER)
    await _ask(world.bob, world.channel, "best pizza recipe")
    listing = await world.mod.slash(world.channel, "asked gaps")
    assert f"“{WEATHER}”" in listing.response.content
    assert "“best pizza recipe”" in listing.response.content
    number = (
        "1"
        if listing.response.content.index(WEATHER) < listing.response.content.index("pizza")
        else "2"
    )
    after = await world.mod.click(listing.response, label=f"{number}. Out of scope")
    assert WEATHER not in after.response.content and "pizza" in after.response.content
    await world.mod.click(after.response, label="1. Dismiss")
    statuses = {r["question"]: r["status"] for r in await _gaps(world)}
    assert statuses == {WEATHER: "out_of_scope", "best pizza recipe": "dismissed"}

    _, shown = await _ask(world.bob, world.channel, FORECAST)
    assert shown[1] == OUT_OF_SCOPE_TEXT
    assert len(await _gaps(world)) == 2  # a curator decided it: no new gap
    _, shown = await _ask(world.bob, world.channel, "Who voices Samantha?")
    assert shown[1].startswith("**Best passage**")  # the rest of the store still answers


async def test_ratings_one_per_member_changeable_and_stats(world):
    result, _ = await _ask(world.alice, world.channel, "Who voices Samantha?")
    first = await world.bob.click(result.response, label="Helpful")
    assert first.ephemeral and "helpful" in first.response.content
    again = await world.bob.click(result.response, label="Helpful")
    assert "(as before)" in again.response.content
    changed = await world.bob.click(result.response, label="Not helpful")
    assert "curators will see" in changed.response.content
    await world.alice.click(result.response, label="Helpful")
    rows = await world.db.fetchall("SELECT user_id, helpful FROM ask_ratings ORDER BY user_id")
    assert sorted(tuple(r) for r in rows) == sorted([(world.bob.id, 0), (world.alice.id, 1)])
    assert [tuple(r) for r in await _gaps(world)] == [
        ("Who voices Samantha?", world.bob.id, "unhelpful", "open")
    ]
    await _ask(world.bob, world.channel, DVD)
    await _ask(world.members[2], world.channel, "who voices samantha?")

    stats = await world.mod.slash(world.channel, "asked stats")
    text = stats.response.content
    assert "Asked: 3 · answered: 2 · declined: 1" in text
    assert "Rated: 2 (1 helpful, 1 not) · open knowledge gaps: 2" in text
    assert "2× “Who voices Samantha?”" in text
    assert "`film-cast-samantha`: 1 not helpful, 1 helpful" in text


async def test_forget_me_removes_gap_questions_and_ratings(world):
    result, _ = await _ask(world.bob, world.channel, "Who voices Samantha?")
    await world.alice.click(result.response, label="Not helpful")
    await _ask(world.alice, world.channel, DVD)
    listing = await world.mod.slash(world.channel, "asked gaps")
    number = (
        "1"
        if listing.response.content.index(DVD) < listing.response.content.index("Samantha")
        else "2"
    )
    form = await world.mod.click(listing.response, label=f"{number}. Answer with a quote")
    await world.mod.submit_modal(form, {"quote_id": ANSWER})
    status = await world.alice.slash(world.channel, "privacy status")
    assert "2 unanswered questions shown to the server's curators" in status.response.content
    assert "1 rating of /ask answers" in status.response.content
    assert "1 question of yours a curator taught /ask" in status.response.content

    forgot = await world.alice.slash(world.channel, "privacy forget-me")
    done = await world.alice.click(forgot.response, label="Yes, delete my data")
    assert "2 unanswered questions shown to the server's curators" in done.response.content
    for table, column in (
        ("ask_gaps", "user_id"),
        ("ask_ratings", "user_id"),
        ("ask_learned", "asked_by"),
    ):
        count = await world.db.fetchval(
            f"SELECT count(*) FROM {table} WHERE {column} = ?", (world.alice.id,)
        )
        assert count == 0, table


async def test_opting_out_of_quotes_withdraws_and_stops_gap_questions(world):
    await _ask(world.alice, world.channel, DVD)
    await _ask(world.bob, world.channel, DVD)
    done = await world.alice.slash(world.channel, "privacy opt-out", scope="quotes")
    assert "1 unanswered question withdrawn from the curators' list" in done.response.content
    await _ask(world.alice, world.channel, "best pizza recipe")
    assert [(r["question"], r["user_id"]) for r in await _gaps(world)] == [(DVD, world.bob.id)]


async def test_cli_exports_taught_phrasings_and_an_eval_file(world, tmp_path):
    import argparse
    import tomllib

    from cogs.quotes.ask import cli

    await _ask(world.alice, world.channel, DVD)
    await _ask(world.bob, world.channel, DVD_AGAIN)  # grouped with the first
    await _ask(world.bob, world.channel, WEATHER)
    listing = await world.mod.slash(world.channel, "asked gaps")
    text = listing.response.content
    dvd = "1" if text.index(DVD) < text.index(WEATHER) else "2"
    form = await world.mod.click(listing.response, label=f"{dvd}. Answer with a quote")
    await world.mod.submit_modal(form, {"quote_id": ANSWER})
    listing = await world.mod.slash(world.channel, "asked gaps")
    await world.mod.click(listing.response, label="1. Out of scope")
    rated, _ = await _ask(world.alice, world.channel, "Who voices Samantha?")
    await world.bob.click(rated.response, label="Helpful")

    def args(*argv: str) -> argparse.Namespace:
        parser = argparse.ArgumentParser()
        cli.register(parser.add_subparsers())
        return parser.parse_args(["asked", *argv])

    taught = tmp_path / "taught.toml"
    code = await cli._export(
        args("export-taught", "--guild", str(world.guild.id), "--out", str(taught)), world.settings
    )
    assert code == 0
    assert tomllib.loads(taught.read_text(encoding="utf-8")) == {
        "quotes": [{"id": ANSWER, "asks": [DVD, DVD_AGAIN]}]
    }
    questions = tmp_path / "eval.toml"
    code = await cli._export(
        args("eval", "--from-server", str(world.guild.id), "--out", str(questions)), world.settings
    )
    assert code == 0
    assert tomllib.loads(questions.read_text(encoding="utf-8"))["questions"] == [
        {"q": DVD, "expect": [ANSWER], "style": "paraphrase"},
        {"q": DVD_AGAIN, "expect": [ANSWER], "style": "paraphrase"},
        {"q": "Who voices Samantha?", "expect": [ANSWER], "style": "paraphrase"},
        {"q": WEATHER, "expect": [], "style": "out-of-scope"},
    ]


async def test_the_demo_world_has_a_gap_to_teach(simcord_env):
    from demo.world import SEEDED_GAP, build_demo_world

    demo = await build_demo_world(simcord_env)
    paul, amy = demo.moderator, demo.by_name("amy")
    listing = await paul.slash(demo.channel, "asked gaps")
    assert f"“{SEEDED_GAP[1]}” — asked 1× by 1 member (declined)" in listing.response.content
    form = await paul.click(listing.response, label="1. Answer with a quote")
    await paul.submit_modal(
        form, {"text": "Her is out on DVD and Blu-ray from Warner Bros.", "speaker": "Warner Bros."}
    )
    (pending,) = await review_store.pending(demo.bot.db, demo.guild.id)
    review = await paul.slash(demo.channel, "quote review")
    await paul.click(review.response.message, custom_id=f"herbot:quote:approve:{pending.id}")
    _, shown = await _ask(amy, demo.channel, DVD_AGAIN)
    assert "Warner Bros." in shown[1] and TAUGHT_NOTE in shown[-1]


async def test_help_tells_members_unanswered_questions_are_shown_to_curators(world):
    shown = await world.alice.slash(world.channel, "help")
    footer = shown.response.embeds[0].footer.text
    assert "Questions /ask can't answer well" in footer and "curators" in footer
    commands = "\n".join(f.value for f in shown.response.embeds[0].fields)
    assert "/asked gaps" not in commands  # moderators' commands are shown to moderators
    as_mod = await world.mod.slash(world.channel, "help")
    assert "/asked gaps" in "\n".join(f.value for f in as_mod.response.embeds[0].fields)
