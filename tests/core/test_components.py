"""Every persistent component's custom id, pinned: posted messages carry these strings.

A changed id (or a template that stops matching an old one) breaks every button already in
a server, so each component is built from sample values here and its id compared with the
exact string; the template must be today's (only the group names may differ), the id must
read back as the item's fields and be spelled again from them, and the item rebuilt from
the clicked id (what discord.py does on a click) must carry the same id. Then the base
itself (bot/components.py): its spelling rules and the per-bot handler registry.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.components import Components, Field, Persistent, components_of
from bot.errors import UserError
from cogs.debate.poi_ui import POIAnswer
from cogs.debate.ui import DebateControl
from cogs.polls.ranked_ui import ApprovalSelect, RankButton, RankPick, RankSave
from cogs.polls.ui import PollRetractButton, PollVoteButton
from cogs.quotes.ask.gaps_ui import GapButton, GapsPageButton, RateButton
from cogs.quotes.ask.ui import ContextButton, MoreButton
from cogs.quotes.ui import CiteButton, ReviewButton
from cogs.threads.transcripts.ui import SaveQuoteButton

# (component, the template it has always had, samples: how to build one -> its exact id)
PINNED: list[tuple[type[Any], str, list[tuple[Callable[[], Any], str]]]] = [
    (
        PollVoteButton,
        r"herbot:poll:vote:(?P<poll>\d+):(?P<opt>\d)",
        [
            (lambda: PollVoteButton(12, 3, "Yes"), "herbot:poll:vote:12:3"),
            (lambda: PollVoteButton(4_000_000, 0), "herbot:poll:vote:4000000:0"),
        ],
    ),
    (
        PollRetractButton,
        r"herbot:poll:retract:(?P<poll>\d+)",
        [(lambda: PollRetractButton(12), "herbot:poll:retract:12")],
    ),
    (
        ApprovalSelect,
        r"herbot:poll:approve:(?P<poll>\d+)",
        [(lambda: ApprovalSelect(12), "herbot:poll:approve:12")],
    ),
    (
        RankButton,
        r"herbot:poll:rank:(?P<poll>\d+)",
        [(lambda: RankButton(12), "herbot:poll:rank:12")],
    ),
    (
        RankPick,
        r"herbot:poll:rpick:(?P<poll>\d+):(?P<ranking>(?:\d(?:\.\d){0,9})?)",
        [
            (lambda: RankPick(12, (2, 0), "B"), "herbot:poll:rpick:12:2.0"),
            (lambda: RankPick(12, (), "Start over"), "herbot:poll:rpick:12:"),
        ],
    ),
    (
        RankSave,
        r"herbot:poll:rsave:(?P<poll>\d+):(?P<ranking>(?:\d(?:\.\d){0,9})?)",
        [
            (lambda: RankSave(12, (2, 0, 1)), "herbot:poll:rsave:12:2.0.1"),
            (lambda: RankSave(12, ()), "herbot:poll:rsave:12:"),
        ],
    ),
    (
        DebateControl,
        r"herbot:debate:ctl:(?P<debate>\d+):(?P<action>\w+)",
        [
            (lambda: DebateControl(7, "speak_for"), "herbot:debate:ctl:7:speak_for"),
            (lambda: DebateControl(7, "advance", "Go", row=None), "herbot:debate:ctl:7:advance"),
        ],
    ),
    (
        POIAnswer,
        r"herbot:debate:poi:(?P<debate>\d+):(?P<poi>\d+):(?P<answer>accept|decline)",
        [
            (lambda: POIAnswer(7, 31, True), "herbot:debate:poi:7:31:accept"),
            (lambda: POIAnswer(7, 31, False), "herbot:debate:poi:7:31:decline"),
        ],
    ),
    (
        SaveQuoteButton,
        r"herbot:threads:quote:(?P<message_id>\d+)",
        [
            (
                lambda: SaveQuoteButton(1234567890123456789, 2),
                "herbot:threads:quote:1234567890123456789",
            )
        ],
    ),
    (
        CiteButton,
        r"herbot:quote:cite:(?P<id>[a-z0-9-]{1,80})",
        [(lambda: CiteButton("sub-1a2b3c"), "herbot:quote:cite:sub-1a2b3c")],
    ),
    (
        ReviewButton,
        r"herbot:quote:(?P<action>approve|reject|edit):(?P<id>[a-z0-9-]{1,64})",
        [
            (
                lambda: ReviewButton("approve", "sub-1a2b3c", row=1),
                "herbot:quote:approve:sub-1a2b3c",
            ),
            (lambda: ReviewButton("reject", "her-0042"), "herbot:quote:reject:her-0042"),
            (lambda: ReviewButton("edit", "her-0042", row=2), "herbot:quote:edit:her-0042"),
        ],
    ),
    (
        MoreButton,
        r"herbot:ask:more:(?P<session>[0-9a-f]{1,20}):(?P<offset>\d{1,3})",
        [(lambda: MoreButton("0af3", 5), "herbot:ask:more:0af3:5")],
    ),
    (
        ContextButton,
        r"herbot:ask:ctx:(?P<quote>[a-z0-9-]{1,80})",
        [(lambda: ContextButton("her-0042"), "herbot:ask:ctx:her-0042")],
    ),
    (
        RateButton,
        r"herbot:ask:rate:(?P<session>[0-9a-f]{1,20}):(?P<helpful>\d)",
        [
            (lambda: RateButton("0af3", 1), "herbot:ask:rate:0af3:1"),
            (lambda: RateButton("0af3", 0), "herbot:ask:rate:0af3:0"),
        ],
    ),
    (
        GapButton,
        r"herbot:ask:gap:(?P<action>\w+):(?P<gap>\d+)",
        [
            (lambda: GapButton("answer", 12, number=2, row=1), "herbot:ask:gap:answer:12"),
            (lambda: GapButton("scope", 12), "herbot:ask:gap:scope:12"),
            (lambda: GapButton("dismiss", 7, number=1), "herbot:ask:gap:dismiss:7"),
        ],
    ),
    (
        GapsPageButton,
        r"herbot:ask:gaps:(?P<page>\d+)",
        [(lambda: GapsPageButton(1, label="Next"), "herbot:ask:gaps:1")],
    ),
]

SAMPLES = [
    pytest.param(cls, build, expected, id=expected)
    for cls, _, samples in PINNED
    for build, expected in samples
]


def _unnamed(pattern: str) -> str:
    """A template without its group names: what it matches, not what the code calls it."""
    return re.sub(r"\(\?P<\w+>", "(", pattern)


@pytest.mark.parametrize(
    ("cls", "template"), [pytest.param(cls, t, id=cls.__name__) for cls, t, _ in PINNED]
)
def test_each_template_is_the_one_posted_buttons_were_made_with(cls, template):
    assert _unnamed(cls.__discord_ui_compiled_template__.pattern) == _unnamed(template)


@pytest.mark.parametrize(("cls", "build", "expected"), SAMPLES)
async def test_each_custom_id_is_spelled_as_posted_messages_carry_it(cls, build, expected):
    item = build()
    assert item.custom_id == expected
    match = cls.__discord_ui_compiled_template__.fullmatch(expected)
    assert match is not None
    # A click: discord.py rebuilds the item from the message's component and the match.
    again = await cls.from_custom_id(None, item.item, match)
    assert type(again) is cls
    assert again.custom_id == expected
    assert again.item.type == item.item.type
    if isinstance(item.item, discord.ui.Button):
        assert (again.item.label, again.item.style) == (item.item.label, item.item.style)
    # The one spelling: the id reads back as the item's fields, and is spelled from them.
    assert cls.parse(expected) == item.fields == again.fields
    assert cls.id_of(**item.fields) == expected
    assert expected.startswith(cls.prefix)


def test_the_fast_lane_routes_by_these_prefixes():
    assert PollVoteButton.prefix == "herbot:poll:vote:"
    assert RankSave.prefix == "herbot:poll:rsave:"


def test_ids_of_other_shapes_are_not_read():
    assert PollVoteButton.parse("herbot:poll:vote:12:34") is None  # one digit: options 0-9
    assert PollVoteButton.parse("herbot:poll:vote:12:3:4") is None
    assert POIAnswer.parse("herbot:debate:poi:7:31:maybe") is None
    assert RankSave.parse("herbot:poll:rsave:12:" + ".".join("0123456789A")) is None
    assert CiteButton.parse("herbot:quote:cite:" + "a" * 81) is None
    assert ReviewButton.parse("herbot:quote:cite:her-0042") is None


def _all_components() -> set[type[Any]]:
    """Every Persistent subclass in a ui module of any feature (where components live)."""
    cogs = Path(__file__).resolve().parents[2] / "cogs"
    for path in cogs.rglob("*.py"):
        if re.fullmatch(r"ui|.+_ui", path.stem) and "__pycache__" not in path.parts:
            importlib.import_module(".".join(path.relative_to(cogs.parent).with_suffix("").parts))
    found: set[type[Any]] = set()
    todo = [Persistent]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("cogs."):
                found.add(sub)
            todo.append(sub)
    return found


def test_every_component_is_pinned_here():
    assert _all_components() == {cls for cls, _, _ in PINNED}


# -- the base ------------------------------------------------------------------------------


class Handler:
    def __init__(self) -> None:
        self.clicks: list[tuple[int, str]] = []

    async def pressed(self, thing_id: int, colour: str) -> None:
        self.clicks.append((thing_id, colour))


class Sample(
    Persistent[discord.ui.Button, Handler],
    id="test:sample:{thing_id:int}:{colour}",
    colour=Field("red|blue"),
    what="sample {colour}",
):
    def __init__(self, thing_id: int, colour: str) -> None:
        self.thing_id = thing_id
        self.colour = colour
        super().__init__(discord.ui.Button(label=colour))

    async def handle(self, handler: Handler, interaction: discord.Interaction) -> None:
        await handler.pressed(self.thing_id, self.colour)


def test_one_spelling_gives_template_id_and_prefix():
    item = Sample(42, "red")
    assert item.custom_id == "test:sample:42:red"
    assert item.template.pattern == r"test:sample:(?P<thing_id>\d+):(?P<colour>red|blue)"
    assert Sample.prefix == "test:sample:"
    assert Sample.parse("test:sample:42:red") == {"thing_id": 42, "colour": "red"}
    assert Sample.parse("test:sample:42:green") is None


@pytest.mark.parametrize(
    ("spelling", "fields", "complaint"),
    [
        ("x:{a:int}:{a:int}", {}, "new name"),
        ("x:{a!r}", {}, "conversion"),
        ("x:{a:float}", {}, "takes one of"),
        ("x:{a:int}", {"a": Field("z")}, "takes one of"),
        ("x:{a}", {}, "say what"),
        ("x:{a:int}", {"b": Field("z")}, "no field"),
        ("x:{row:int}", {}, "item attributes"),
    ],
)
def test_a_spelling_that_says_too_little_or_too_much_is_refused(spelling, fields, complaint):
    with pytest.raises(TypeError, match=complaint):
        type("Bad", (Persistent,), {}, id=spelling, what="bad", **fields)


class Client:
    """What the registry needs of a bot: somewhere discord.py keeps dynamic items."""

    def __init__(self) -> None:
        self.registered: set[type[Any]] = set()
        self.components = Components(self)

    def add_dynamic_items(self, *items: type[Any]) -> None:
        self.registered.update(items)

    def remove_dynamic_items(self, *items: type[Any]) -> None:
        self.registered.difference_update(items)


class Interaction:
    def __init__(self, client: Client) -> None:
        self.client = client


async def test_a_click_goes_to_the_handler_of_the_bot_it_came_to():
    old, new = Client(), Client()  # a restart: two bots in one process
    first, second = Handler(), Handler()
    old.components.add(first, Sample)
    new.components.add(second, Sample)
    assert Sample in old.registered and Sample in new.registered
    await Sample(1, "red").callback(Interaction(new))
    await Sample(2, "blue").callback(Interaction(old))
    assert first.clicks == [(2, "blue")]
    assert second.clicks == [(1, "red")]
    old.components.remove(Sample)
    assert Sample not in old.registered
    assert components_of(new).handler(Sample) is second
    with pytest.raises(UserError):
        components_of(old).handler(Sample)


def test_a_component_has_one_handler_per_bot():
    client = Client()
    client.components.add(Handler(), Sample)
    with pytest.raises(RuntimeError, match="has a handler already"):
        client.components.add(Handler(), Sample)
