"""Debate formats as data: the shipped presets, protected time for POIs, load-time checks."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from cogs.debate.formats import (
    FormatError,
    POIError,
    check_poi,
    load_formats,
    parse_formats,
    poi_window,
)


def shipped():
    return {f.id: f for f in load_formats(PROJECT_ROOT / "config" / "formats.toml")}


def test_shipped_presets_roles_and_times():
    formats = shipped()
    assert list(formats) == [
        "oxford",
        "british-parliamentary",
        "world-schools",
        "asian-parliamentary",
    ]
    bp = formats["british-parliamentary"]
    assert [s.title.split(" (")[0] for s in bp.speeches] == [
        "Prime Minister",
        "Leader of the Opposition",
        "Deputy Prime Minister",
        "Deputy Leader of the Opposition",
        "Member of the Government",
        "Member of the Opposition",
        "Government Whip",
        "Opposition Whip",
    ]
    assert {s.seconds for s in bp.speeches} == {420} and bp.prep_minutes == 15
    ws = formats["world-schools"]
    assert [s.seconds for s in ws.speeches] == [480] * 6 + [240, 240]
    assert ws.speeches[6].title == "Opposition Reply" and not ws.speeches[6].poi
    assert ws.prep_seconds == 3600
    assert not formats["oxford"].takes_pois and formats["asian-parliamentary"].takes_pois


def test_protected_time_at_both_ends_of_a_speech():
    ws = shipped()["world-schools"]
    first = ws.speeches[0]
    assert poi_window(ws, first) == (60, 420)
    with pytest.raises(POIError, match="after the first 60 s"):
        check_poi(ws, first, 59, "against")
    check_poi(ws, first, 60, "against")
    check_poi(ws, first, 419, "against")
    with pytest.raises(POIError, match="last 60 s"):
        check_poi(ws, first, 420, "against")
    with pytest.raises(POIError, match="other side"):
        check_poi(ws, first, 200, "for")
    with pytest.raises(POIError, match="takes no points of information"):
        check_poi(ws, ws.speeches[6], 100, "for")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Bad Id"}, "'id' must be lower-case"),
        ({"speeches": []}, "'speeches' must list"),
        ({"speeches": [{"title": "A", "side": "for", "seconds": 60}]}, "both sides must speak"),
        ({"prep_minutes": 500}, "'prep_minutes' must be a whole number from 0 to 120"),
        (
            {
                "poi_protected_seconds": 60,
                "speeches": [
                    {"title": "A", "side": "for", "seconds": 100, "poi": True},
                    {"title": "B", "side": "against", "seconds": 100},
                ],
            },
            "too short for POIs",
        ),
        (
            {"speeches": [{"title": "A", "side": "middle", "seconds": 60}]},
            "'side' must be 'for' or 'against'",
        ),
    ],
)
def test_a_malformed_format_is_refused_with_what_to_fix(change, message):
    entry = {
        "id": "custom",
        "name": "Custom",
        "speeches": [
            {"title": "A", "side": "for", "seconds": 120},
            {"title": "B", "side": "against", "seconds": 120},
        ],
        **change,
    }
    with pytest.raises(FormatError, match=message):
        parse_formats({"format": [entry]}, "formats.toml")
