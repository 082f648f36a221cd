"""/ask through simcord: what a member sees, buttons that survive a restart, declines."""

from __future__ import annotations

import re

import pytest

from bot.config import Settings
from cogs.quotes.ask.cog import NO_WORDS
from tests import cards
from tests.quotes.ask.support import real_store, warm_vectors


@pytest.fixture(scope="module", autouse=True)
def _vectors() -> None:
    warm_vectors()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The real curated store, seeded into the test database before the bot starts."""
    return real_store(settings)


def _plain(markdown: str) -> str:
    """What Discord shows for escaped Markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _labels(response) -> list[str]:
    return cards.labels(response)


def _blocks(result) -> list[str]:
    """The card's text displays: heading, passages (or the decline and related), footer."""
    return [
        node["content"]
        for node in cards.walk(cards.components_of(result))
        if node["type"] == cards.TEXT_DISPLAY
    ]


RELATED = "**Related (not an answer)**\n"


async def test_ask_answers_with_highlighted_cited_passages(world):
    result = await world.alice.slash(world.channel, "ask", question="Who voices Samantha?")

    assert not result.ephemeral
    assert cards.is_card(result)
    heading, best, *others, footer = _blocks(result)
    assert heading == "### Who voices Samantha?"
    assert best.startswith("**Best passage**\n")
    assert "Scarlett Johansson" in best
    assert "**Samantha**" in best and "**voiced**" in best
    assert "`film-cast-samantha`" in best  # the citation names the quote id
    assert "Source: herbot curators — *Her* (dir. Spike Jonze, 2013), Cast" in _plain(best)
    assert 1 <= len(others) <= 2
    assert all("-# Source: " in other for other in others)
    assert footer.startswith("-# Passages 1–")
    assert _labels(result.response)[-2:] == ["Context", "Cite"]
    cited = await world.bob.click(result.response, label="Cite")
    assert cited.ephemeral and "`film-cast-samantha`" in cited.response.content
    row = await (await world.db.execute("SELECT question, user_id FROM ask_sessions")).fetchone()
    assert tuple(row) == ("Who voices Samantha?", world.alice.id)


async def test_the_footer_names_the_keyword_ranking_the_engine_uses(world):
    """SQLite ranks keywords with FTS5's BM25, PostgreSQL with ts_rank: the footer says which."""
    result = await world.alice.slash(world.channel, "ask", question="Who voices Samantha?")
    *_, footer = _blocks(result)
    ranking = "BM25" if world.db.dialect == "sqlite" else "ts_rank"
    assert f"Keyword ({ranking}) and meaning (MiniLM) search" in footer
    other = "ts_rank" if ranking == "BM25" else "BM25"
    assert other not in footer


async def test_private_answer_is_ephemeral(world):
    result = await world.bob.slash(
        world.channel, "ask", question="Who directed the film?", private=True
    )
    assert result.ephemeral
    assert "Spike Jonze" in cards.text(result)


async def test_out_of_scope_question_declines_with_related_quotes(world):
    # The store holds Altman's September 2023 remarks, never a tweet: declined, and the
    # remarks are offered as related (issue 25).
    result = await world.alice.slash(
        world.channel, "ask", question="What did Sam Altman tweet when GPT-4o launched?"
    )
    _heading, declined, *related, _footer = _blocks(result)
    assert declined.startswith("Nothing in the quote store answers that.")
    assert "It never mentions tweet." in declined
    assert related and all(r.startswith(RELATED) for r in related)
    assert "`fs-035`" in "".join(related)
    assert "**" not in "".join(r.removeprefix(RELATED) for r in related)  # nothing bolded
    assert _labels(result.response) == []


async def test_a_declined_question_lists_related_passages_only_when_related(world):
    # The nearest passage (the film's music credits) is 0.23 in cosine: not related.
    result = await world.alice.slash(world.channel, "ask", question="best pizza recipe")
    _heading, declined, *related, _footer = _blocks(result)
    assert declined.startswith("Nothing in the quote store answers that.")
    assert related == []


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        ("Who plays Samantha?", "film-cast-samantha", None),
        ("Who is Catherine?", "film-cast-catherine", None),
        ("What does the Film Stories article argue Altman gets wrong?", "fs-005", "fs-001"),
    ],
)
async def test_the_best_passage_is_the_one_the_question_is_about(world, question, first, second):
    # Issue 25: a neighbouring line or the article's headline led these before.
    result = await world.alice.slash(world.channel, "ask", question=question)
    _heading, best, *others, _footer = _blocks(result)
    assert best.startswith("**Best passage**\n") and f"`{first}`" in best
    if second is not None:
        assert f"`{second}`" in others[0]


async def test_more_results_and_context_buttons_survive_restart(world):
    result = await world.alice.slash(
        world.channel, "ask", question="What happens between Theodore and Amy?"
    )
    assert _labels(result.response) == ["Helpful", "Not helpful", "More results", "Context", "Cite"]
    first_page = _blocks(result)

    await world.restart()

    more = await world.bob.click(result.response, label="More results")
    assert more.ephemeral
    page = _blocks(more)
    assert page[1].startswith("**Passage 4**")
    assert page[1] != first_page[1]

    context = await world.bob.click(result.response, label="Context")
    assert context.ephemeral
    shown = context.response.embeds[0]
    # The best passage may come from the film or from an article about it.
    assert shown.title in {
        "Context: Her (dir. Spike Jonze, 2013)",
        "Context: “Her — What OpenAI CEO Sam Altman gets wrong about his favourite film” "
        "(Film Stories)",
    }
    assert shown.description.count("\n\n") >= 1  # the passage and its neighbours


async def test_new_quote_is_found_without_restart(world):
    async with world.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO quotes (id, text, speaker, source_id, locator, kind, guild_id) "
            "VALUES ('sub-aa11', 'The piano piece Samantha composes is called Photograph.', "
            "'alice', 'discord', '', 'submission', ?)",
            (world.guild.id,),
        )

    result = await world.bob.slash(
        world.channel, "ask", question="What is Samantha's piano song called?"
    )
    assert "`sub-aa11`" in cards.text(result)


async def test_forget_me_removes_asked_questions(world):
    await world.alice.slash(world.channel, "ask", question="Who voices Samantha?")
    await world.bob.slash(world.channel, "ask", question="Who directed the film?")
    shown = await world.alice.slash(world.channel, "privacy forget-me")
    done = await world.alice.click(shown.response, label="Yes, delete my data")
    assert "1 question you asked with /ask" in done.response.content
    async with world.db.execute("SELECT count(*) FROM ask_sessions") as cur:
        assert (await cur.fetchone())[0] == 1  # bob's question stays


async def test_blank_question_is_refused_privately(world):
    result = await world.alice.slash(world.channel, "ask", question="  a   ")
    assert result.ephemeral
    assert "at least 3 characters" in result.response.content
    assert world.user_errors() == ["Ask a question of at least 3 characters."]
    async with world.db.execute("SELECT count(*) FROM ask_sessions") as cur:
        assert (await cur.fetchone())[0] == 0


async def test_context_names_who_said_each_neighbouring_passage(world):
    from tests.quotes.helpers import approved

    for speaker, words in (
        ("alice", "Zorblax quintessence is what the film is really about."),
        ("bob", "I think the ending is hopeful, not sad."),
        ("carol", "The colours of the city are warm on purpose."),
    ):
        await approved(world, words, speaker=speaker, locator="#general, 2026-01-01")
    result = await world.alice.slash(world.channel, "ask", question="Zorblax quintessence?")
    assert "Zorblax" in cards.text(result)
    context = await world.bob.click(result.response, label="Context")
    raw = context.response.embeds[0].description
    # Inside `code` Discord shows backslashes as typed: the locator is not escaped there.
    assert raw.startswith("`#general, 2026-01-01` alice: ")
    shown = _plain(raw)
    # Members' words are never shown without who wrote them.
    assert "bob: I think the ending is hopeful" in shown
    assert "carol: The colours of the city" in shown
    assert "alice: **Zorblax quintessence" in shown  # the passage itself, in bold


async def test_questions_older_than_90_days_are_forgotten_while_the_bot_runs(world):
    async with world.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO ask_sessions (id, question, guild_id, user_id, created_at) "
            "VALUES ('0ld0', 'An old question?', ?, ?, '2000-01-01T00:00:00.000000Z')",
            (world.guild.id, world.alice.id),
        )
    await world.bob.slash(world.channel, "ask", question="Who directed the film?")
    async with world.db.execute("SELECT question FROM ask_sessions") as cur:
        assert [row[0] for row in await cur.fetchall()] == ["Who directed the film?"]


async def test_question_naming_what_the_store_never_mentions_is_declined(world):
    result = await world.alice.slash(world.channel, "ask", question="Who directed Jurassic Park?")
    _heading, declined, *related, _footer = _blocks(result)
    assert declined.startswith("Nothing in the quote store answers that.")
    assert "It never mentions Jurassic Park." in declined
    assert all(r.startswith(RELATED) for r in related)
    assert "**" not in "".join(r.removeprefix(RELATED) for r in related)
    assert _labels(result.response) == []


async def test_a_lower_case_name_the_store_never_mentions_is_declined(world):
    # No capitals to tell a name by: names.toml lists the well-known names near the domain.
    result = await world.alice.slash(world.channel, "ask", question="who directed ex machina")
    _heading, declined, *related, _footer = _blocks(result)
    assert "It never mentions ex machina." in declined
    assert all(r.startswith(RELATED) for r in related)


async def test_a_lower_case_name_the_store_mentions_is_answered(world):
    result = await world.alice.slash(
        world.channel, "ask", question="why does sam altman love this movie so much"
    )
    assert not any(b.startswith("Nothing in the quote store") for b in _blocks(result))
    assert _labels(result.response)  # an answer has its More results / Context buttons


async def test_punctuation_only_question_is_refused_privately(world):
    result = await world.alice.slash(world.channel, "ask", question="?!?! ... @here")
    assert result.ephemeral
    assert "no words to search for" in result.response.content
    assert not result.response.embeds
    assert world.user_errors() == [NO_WORDS]
    async with world.db.execute("SELECT count(*) FROM ask_sessions") as cur:
        assert (await cur.fetchone())[0] == 0


async def test_highlights_skip_possessives_mentions_and_stop_words(world):
    result = await world.alice.slash(
        world.channel, "ask", question="@here What is Scarlett Johansson's role in Her?"
    )
    shown = _blocks(result)[1]
    assert "Johansson" in shown
    bolded = re.findall(r"\*\*(.+?)\*\*", shown)
    words = {w.lower() for b in bolded for w in re.findall(r"\w+", _plain(b))}
    assert "johansson" in words
    assert not words & {"s", "here", "what", "is", "in", "her"}, bolded


# Issue 22, honest answers (questions from the tune half of tests/data/questions.toml).
async def test_a_premise_the_store_never_supports_is_answered_with_a_plain_note(world):
    result = await world.alice.slash(
        world.channel, "ask", question="Why does Samantha get a robot body at the end of the film?"
    )
    _heading, note, best, *_rest = _blocks(result)
    assert _plain(note).startswith("*The store doesn't say that (nothing in it mentions “robot”)")
    assert "here is what it says about samantha, body" in _plain(note)
    assert best.startswith("**Best passage**\n") and "`film-plot-oses-leave`" in best


async def test_a_question_the_store_supports_carries_no_premise_note(world):
    result = await world.alice.slash(
        world.channel, "ask", question="Why did Wired call Her a modern fairy tale?"
    )
    _heading, best, *_rest = _blocks(result)
    assert best.startswith("**Best passage**\n")
    assert "doesn't say that" not in " ".join(_blocks(result))


@pytest.mark.parametrize(
    "question",
    [
        "How do I write a cover letter for a job application?",
        "How do you say 'I love you' in Japanese?",
        "Give me a recipe for lasagna my girlfriend will love",
        "What is 12 times 7?",
    ],
)
async def test_requests_for_instructions_or_sums_are_declined(world, question):
    result = await world.alice.slash(world.channel, "ask", question=question)
    _heading, declined, *_rest = _blocks(result)
    assert declined.startswith("Nothing in the quote store answers that.")


async def test_a_name_mentioned_only_in_passing_is_declined_and_said_so(world):
    result = await world.alice.slash(
        world.channel, "ask", question="Who did the music for Blade Runner 2049?"
    )
    _heading, declined, *_rest = _blocks(result)
    assert declined.startswith("Nothing in the quote store answers that.")
    assert "It mentions Blade Runner 2049 only in passing." in declined
