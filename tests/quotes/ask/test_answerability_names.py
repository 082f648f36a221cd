"""Which names a question uses (cogs/quotes/ask/answerability.named), without a database.

Capitalised runs are names; so are the names of names.toml in any case. What is capitalised
but not a work, person or organisation (nationalities, jargon abbreviations, a word
capitalised only in a hyphenated compound) is not, so it never declines a good question.
"""

from __future__ import annotations

import pytest

from cogs.quotes.ask.answerability import listed_names, named


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
    ],
)
def test_named(question: str, names: list[str]):
    assert named(question) == names


def test_listed_names_match_whole_words_only():
    assert listed_names("who directed ex machina") == ["ex machina"]
    assert listed_names("an ex machinist") == []
    # Ordinary words never listed: a lower-case question about "her" names nothing.
    assert listed_names("what is her about and who is in it") == []
