"""Which names a question uses (cogs/quotes/ask/answerability.named), without a database.

Capitalised runs are names; so are the names of names.toml in any case. What is capitalised
but not a work, person or organisation (nationalities, jargon abbreviations, a word
capitalised only in a hyphenated compound) is not, so it never declines a good question.
"""

from __future__ import annotations

import pytest

from cogs.quotes.ask.answerability import (
    listed_names,
    named,
    premise_note,
    presupposes,
    request,
    without_words,
)


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Who directed Jurassic Park?", ["Jurassic Park"]),
        ("who directed ex machina", ["ex machina"]),
        ("what does zuckerberg's company think of ai girlfriends", ["zuckerberg"]),
        ("Who plays Ava in Ex Machina?", ["Ava", "Ex Machina"]),  # no second "ex machina"
        ("What does Mark Zuckerberg think?", ["Mark Zuckerberg"]),
        ("What is the capital of France?", ["France"]),
        ("Where does Theo live and is he doing OK for money?", ["Theo"]),
        ("Did the script win the WGA award?", ["WGA"]),  # an alias of what the store says
        ("Which team won the NBA finals in 2016?", ["NBA"]),
        ("Why does Theo play that AR game?", ["Theo"]),
        ("What does the article think of AI-written text?", []),
        ("What worries come with a Samantha-style AI?", ["Samantha"]),
        ("Who plays Paul, Theodore's coworker?", ["Paul", "Theodore"]),  # a comma ends a name
    ],
)
def test_named(question: str, names: list[str]):
    assert named(question) == names


def test_listed_names_match_whole_words_only():
    assert listed_names("who directed ex machina") == ["ex machina"]
    assert listed_names("an ex machinist") == []
    # Ordinary words never listed: a lower-case question about "her" names nothing.
    assert listed_names("what is her about and who is in it") == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How do I bake sourdough bread?", True),
        ("how can you tell it's AI?", True),
        ("Give me a recipe for risotto", True),
        ("Please write me a poem about Samantha", True),
        ("What is 12 times 7?", True),
        ("whats 3 + 4", True),
        ("How does Theodore get a book deal?", False),
        ("What is the operating system called?", False),
        ("Who wrote Her?", False),
        ("What year is the film set in, 2025?", False),
    ],
)
def test_requests_for_instructions_sums_or_writing(question: str, expected: bool):
    assert request(question) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Why does Samantha leave?", True),
        ("How did OpenAI help make Her?", True),
        ("What happens when Theodore meets Catherine?", True),
        ("What did the court rule when Johansson sued?", True),
        ("What happens at the end?", False),
        ("How does Samantha see the world?", False),
        ("Who voices Samantha?", False),
    ],
)
def test_questions_that_take_something_for_granted(question: str, expected: bool):
    assert presupposes(question) is expected


def test_without_words_and_the_premise_note():
    assert without_words("Why does Samantha get a robot body?", ["robot"]) == (
        "Why does Samantha get a body?"
    )
    assert without_words("Was it Robot's idea?", ["robot"]) == "Was it idea?"
    assert premise_note(["robot"], ["samantha", "get", "body"]) == (
        "The store doesn't say that (nothing in it mentions “robot”); "
        "here is what it says about samantha, body."
    )
    assert premise_note(["x"], []).endswith("here is what it says about that.")
