"""Hostile text found by hand (issue 13): each answered privately, in Discord's limits.

Every test here failed on the code before the edge cleaning (``bot/text.py``) and the parser
bounds: a spinning /ask, CHECK constraints, overflowing dates, refusals longer than 2,000
characters, ``int("²")``, a RecursionError, an OverflowError and lone surrogates.
"""

from __future__ import annotations

import json

import pytest

from bot.presentation import MESSAGE_LIMIT
from bot.timeparse import parse_duration, parse_start
from tests.threads.conftest import export, flush, make_thread


def answer(result):
    """The text the member finally sees (the follow-up of a deferred reply)."""
    message = result.followups[-1] if result.followups else result.response
    assert message is not None, "the interaction was not answered"
    assert len(message.content) <= MESSAGE_LIMIT
    return message.content


def refused(world, result) -> str:
    """A private refusal that is a user mistake (never the unexpected-error path)."""
    text = answer(result)
    assert result.ephemeral
    assert "Something went wrong" not in text
    world.user_errors()  # fails on anything unexpected
    return text


async def count(world, table: str) -> int:
    return int(await world.db.fetchval(f"SELECT count(*) FROM {table}"))


# --- NUL characters -----------------------------------------------------------------------


async def test_ask_of_nul_characters_is_refused_and_stores_nothing(world):
    result = await world.alice.slash(world.channel, "ask", question="\x00\x00\x00")
    assert "question" in refused(world, result).lower()
    assert await count(world, "ask_sessions") == 0


async def test_ask_with_nuls_around_words_answers_the_words(world):
    result = await world.alice.slash(world.channel, "ask", question="Who\x00 voices\x00 Samantha?")
    assert result.acknowledged
    assert (await world.db.fetchval("SELECT question FROM ask_sessions")) == "Who voices Samantha?"
    assert not world.env.errors


async def test_nul_only_poll_motion_and_options_are_refused(world):
    result = await world.mod.slash(world.channel, "poll create", motion="\x00\x00")
    assert "motion" in refused(world, result).lower() or "question" in answer(result).lower()
    result = await world.mod.slash(
        world.channel, "poll create", motion="Best scene?", options="\x00; \x00\x00"
    )
    refused(world, result)
    assert await count(world, "polls") == 0


async def test_nul_only_quote_form_is_refused(world):
    shown = await world.alice.slash(world.channel, "quote submit", source="her-film")
    before = await count(world, "quotes")
    done = await world.alice.submit_modal(shown, {"text": "\x00\x00\x00", "speaker": "\x00"})
    refused(world, done)
    assert await count(world, "quotes") == before


# --- dates and durations at the edges ----------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"from_": "9999-12-31"},
        {"to": "9999-12-31"},
        {"from_": "0001-01-01T00:00+01:00"},
        {"to": "0001-01-01"},
    ],
)
async def test_transcript_export_dates_at_the_edges_are_answered(world, options):
    thread = await make_thread(world)
    await world.mod.slash(thread, "record start")
    await world.alice.send(thread, "Samantha is a person.")
    await flush(world)
    options = {("from" if k == "from_" else k): v for k, v in options.items()}
    result = await world.alice.slash(
        thread, "transcript export", thread=str(thread.id), format="md", **options
    )
    assert result.ephemeral
    text = answer(result)
    assert "Something went wrong" not in text
    world.user_errors()


async def test_debate_schedule_in_year_9999_is_refused(world):
    result = await world.mod.slash(
        world.channel, "debate schedule", motion="altman-misreads-her", start="9999-12-31 23:59"
    )
    assert "year" in refused(world, result).lower()


@pytest.mark.parametrize("size", [2000, 6000])
async def test_huge_duration_and_start_refusals_fit_a_message(world, size):
    result = await world.mod.slash(
        world.channel, "poll create", motion="Best scene?", duration="9" * size
    )
    assert len(refused(world, result)) < 300
    result = await world.mod.slash(
        world.channel, "debate schedule", motion="Best scene?", start="x" * size
    )
    assert len(refused(world, result)) < 300
    result = await world.mod.slash(
        world.channel, "debate schedule", motion="Best scene?", start="in 2h", duration="1" * size
    )
    assert len(refused(world, result)) < 300
    result = await world.mod.slash(
        world.channel, "debate schedule", motion="Best scene?", start="<t:" + "9" * size + ":F>"
    )
    assert len(refused(world, result)) < 300


def test_parsers_bound_their_input_before_matching():
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    for text in ("1d" * 3000, "9" * 6000 + "m", " " * 6000 + "1h", "<t:" + "9" * 6000 + ">"):
        with pytest.raises(ValueError) as caught:
            parse_duration(text)
        assert len(str(caught.value)) < 200
        with pytest.raises(ValueError) as caught:
            parse_start(text, now)
        assert len(str(caught.value)) < 200


# --- digits that are not ASCII ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "١٢٣", "１２３"])
async def test_thread_option_with_non_ascii_digits_is_refused(world, value):
    result = await world.alice.slash(world.channel, "transcript stats", thread=value)
    assert "No recorded thread" in refused(world, result)


async def test_settings_with_non_ascii_digits_or_huge_ids_are_refused(world):
    for value in ("²", "9" * 400, "1" * 21):
        result = await world.admin.slash(
            world.channel, "settings set", key="moderator_role_id", value=value
        )
        assert "digits 0-9" in refused(world, result)


# --- /quote import ---------------------------------------------------------------------------


async def import_file(world, raw: bytes):
    return await world.mod.slash(world.channel, "quote import", file=("q.json", raw))


async def test_import_of_deeply_nested_json_lists_the_problem(world):
    before = await count(world, "quotes")
    result = await import_file(world, b"[" * 100_000 + b"]" * 100_000)
    assert "nested" in refused(world, result)
    assert await count(world, "quotes") == before


async def test_import_with_huge_numbers_lists_the_problem(world):
    quote = {"id": "x-1", "text": "t", "speaker": "S", "source": "discord", "origin": "imported"}
    data = {"format": "herbot-quotes", "version": 1, "guild_id": world.guild.id}
    before = await count(world, "quotes")
    for changed in (
        {"quotes": [{**quote, "submitted_by": 10**29}]},
        {"quotes": [{**quote, "author_id": -(10**29)}]},
        {"quotes": [{**quote, "source": "big"}], "sources": [_source(year=10**29)]},
        {"quotes": [{**quote, "id": 10**29}]},
        {"version": 10**29, "quotes": [quote]},
    ):
        result = await import_file(world, json.dumps({**data, **changed}).encode())
        assert "Nothing was imported" in refused(world, result) or "version" in answer(result)
    assert await count(world, "quotes") == before


def _source(**fields):
    return {"id": "big", "kind": "article", "title": "Big", **fields}


async def test_import_of_wrong_encoding_and_nul_text_is_refused(world):
    before = await count(world, "quotes")
    refused(world, await import_file(world, "{}".encode("utf-16")))
    data = {
        "format": "herbot-quotes",
        "version": 1,
        "guild_id": world.guild.id,
        "quotes": [{"id": "x-1", "text": "\x00\x00", "speaker": "S", "source": "discord"}],
    }
    refused(world, await import_file(world, json.dumps(data).encode()))
    assert await count(world, "quotes") == before


# --- /settings show ---------------------------------------------------------------------------


async def test_settings_show_with_many_long_values_fits_a_message(world):
    channels = ",".join(str(1000 + n) for n in range(25))
    result = await world.admin.slash(
        world.channel, "settings set", key="record_channel_ids", value=channels
    )
    assert "is now" in answer(result)
    too_many = ",".join(str(1000 + n) for n in range(26))
    result = await world.admin.slash(
        world.channel, "settings set", key="record_channel_ids", value=too_many
    )
    assert "at most 25" in refused(world, result)
    shown = await world.admin.slash(world.channel, "settings show")
    assert shown.ephemeral and len(answer(shown)) <= MESSAGE_LIMIT
    # Values stored before ids were bounded (400 digits each, 200 ids) still show in limits.
    async with world.db.transaction() as tx:
        for key, value in (
            ("qotd_channel_id", "9" * 400),
            ("debate_channel_id", "8" * 400),
            ("record_channel_ids", ",".join(["1"] * 200)),
        ):
            await tx.execute(
                "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value",
                (world.guild.id, key, value),
            )
    shown = await world.admin.slash(world.channel, "settings show")
    assert shown.ephemeral and len(answer(shown)) <= MESSAGE_LIMIT
    world.user_errors()


# --- lone surrogates -------------------------------------------------------------------------


async def test_ask_and_search_with_lone_surrogates_are_answered(world):
    result = await world.alice.slash(world.channel, "ask", question="Samantha \ud800 voice")
    assert result.acknowledged
    result = await world.alice.slash(world.channel, "quote search", text="\udfff Samantha")
    assert result.acknowledged and result.ephemeral
    world.user_errors()


async def test_a_recorded_message_with_a_lone_surrogate_keeps_search_and_exports(world):
    thread = await make_thread(world)
    await world.mod.slash(thread, "record start")
    await world.alice.send(thread, "Samantha \ud83d laughs")
    await world.bob.send(thread, "She does.")
    await flush(world)
    assert await count(world, "recorded_messages") == 2
    found = await world.alice.slash(
        thread, "transcript search", thread=str(thread.id), query="laughs"
    )
    assert "laughs" in answer(found) or found.response.embeds
    for fmt in ("md", "html", "json", "csv"):
        (attachment,) = await export(world, world.alice, thread, fmt)
        raw = await attachment.read()
        assert b"laughs" in raw
        raw.decode("utf-8")
    world.user_errors()
