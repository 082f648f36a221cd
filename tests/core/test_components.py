"""Every persistent component's custom id, pinned: posted messages carry these strings.

A changed id (or a template that stops matching an old one) breaks every button already in
a server, so each component is built from sample values here and its id compared with the
exact string; the template must be today's (only the group names may differ), and the item
rebuilt from the clicked id (what discord.py does on a click) must carry the same id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import discord
import pytest

from cogs.debate.poi_ui import POIAnswer
from cogs.debate.ui import DebateControl
from cogs.polls.ranked_ui import ApprovalSelect, RankButton, RankPick, RankSave
from cogs.polls.ui import PollRetractButton, PollVoteButton
from cogs.quotes.ask_ui import ContextButton, MoreButton
from cogs.quotes.ui import CiteButton, ReviewButton
from cogs.threads.ui import SaveQuoteButton

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
