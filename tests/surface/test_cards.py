"""Components V2 cards stay inside Discord's limits (40 components, 4,000 display
characters) for the longest texts the store, the polls and /ask can hold."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bot import cards
from cogs.polls.cards_ui import result_card
from cogs.polls.polls import Poll, Tally
from cogs.quotes.ask.answer import Answer, Result
from cogs.quotes.ask.ui import answer_card
from cogs.quotes.quote import StoredQuote


def _quote(**over) -> StoredQuote:
    base = dict(
        rowid=1,
        id="sub-" + "a" * 60,
        text="words " * 800,  # 4,800 characters: longer than a card's text limit
        speaker="s" * 200,
        source_id="discord",
        locator="l" * 300,
        kind="submission",
        tags=tuple(f"tag-{i:02d}-" + "x" * 30 for i in range(20)),
        note="n" * 2000,
        status="approved",
        origin="discord",
        guild_id=1,
        submitted_by=2,
        author_id=2,
        message_link="https://discord.com/channels/1/2/3",
        edited_by=None,
        reviewed_by=3,
        created_at="2026-01-01T00:00:00Z",
        source_kind="discord",
        source_title="t" * 300,
    )
    return StoredQuote(**(base | over))


def _within(view) -> None:
    cards.check(view)
    assert view.content_length() <= cards.CARD_TEXT_LIMIT
    assert view.total_children_count <= cards.CARD_COMPONENTS_MAX


def test_longest_quote_card_fits():
    view = quote_card_of(_quote())
    _within(view)
    assert view.content_length() > 3000  # it used the room, not a token excerpt


def quote_card_of(q):
    from cogs.quotes.ui import quote_card

    return quote_card(q)


def _result(i: int, citation_length: int) -> Result:
    passage = SimpleNamespace(
        id=f"q-{i}", citation="c" * citation_length, text="passage text " * 300
    )
    segments = [("passage ", False), ("text", True)] * 300
    return Result(passage=passage, segments=segments, score=1.0, cosine=None)


@pytest.mark.parametrize("citation_length", [50, 400, 1500])
def test_longest_answer_card_fits(citation_length):
    answer = Answer(
        question="why " * 75,
        declined=False,
        mode="hybrid",
        results=[_result(i, citation_length) for i in range(3)],
        total=30,
    )
    view = answer_card(answer, "abc123", note="meaning search is still indexing new quotes")
    _within(view)
    labels = [getattr(getattr(c, "item", c), "label", None) for c in view.walk_children()]
    found = [label for label in labels if label]
    assert found[-3:] == ["More results", "Context", "Cite"]
    assert {"Helpful", "Not helpful"} <= set(found)


def test_declined_answer_card_fits_and_has_no_buttons():
    answer = Answer(
        question="x" * 300,
        declined=True,
        mode="hybrid",
        suggestions=[_result(i, 800) for i in range(3)],
        unknown=["Jurassic Park " * 30],
    )
    view = answer_card(answer, "abc123")
    _within(view)
    assert not [c for c in view.walk_children() if getattr(getattr(c, "item", c), "label", None)]


def test_result_card_with_ten_long_options_fits():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    options = tuple(f"{i} " + "o" * 78 for i in range(10))
    poll = Poll(
        id=7,
        guild_id=1,
        channel_id=2,
        message_id=3,
        question="q" * 300,
        kind="poll",
        anonymous=True,
        live=True,
        role_id=None,
        created_by=4,
        created_at=now,
        closes_at=now,
        closed_at=now,
        options=options,
    )
    view = result_card(poll, Tally(options, tuple(range(10))))
    _within(view)


def test_check_names_the_limit_broken():
    too_long = cards.card(*(cards.text("x" * 1000) for _ in range(5)))
    with pytest.raises(ValueError, match="4000"):
        cards.check(too_long)
    with pytest.raises(ValueError, match="40"):  # discord.py refuses the 41st itself
        cards.check(cards.card(*(cards.text("x") for _ in range(45))))
