"""Debate formats as data: the shipped presets, protected time for POIs, load-time checks."""

from __future__ import annotations

import pytest

from bot.config import shipped_dir
from cogs.debate.formats import (
    FormatError,
    POIError,
    check_poi,
    load_formats,
    parse_formats,
    poi_window,
)


def shipped():
    return {f.id: f for f in load_formats(shipped_dir() / "formats.toml")}


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


# ---------------------------------------------------------------- a debate run in a format


def test_format_order_prep_speeches_votes_and_skips():
    from datetime import UTC, datetime, timedelta

    from cogs.debate import format_machine as fm
    from cogs.debate.machine import TransitionError

    ws, now = shipped()["world-schools"], datetime(2026, 1, 1, tzinfo=UTC)
    state = fm.opening_state(ws, now)
    assert state.phase == "prep" and state.deadline == now + timedelta(minutes=60)
    assert fm.opening_state(shipped()["oxford"], now).phase == "pre_vote"
    with pytest.raises(TransitionError, match="Nobody speaks during the preparation"):
        fm.give_floor(ws, state, now, 1, "for")
    state = fm.advance(ws, state)
    assert (state.phase, state.speech_index, state.deadline) == ("speech", 0, None)
    with pytest.raises(TransitionError, match="First Proposition speaks For"):
        fm.give_floor(ws, state, now, 1, "against")
    called = fm.give_floor(ws, state, now, 1, "for")
    assert called.deadline == now + timedelta(seconds=480) and called.seq == state.seq + 1
    assert fm.skip(ws, called).speech_index == 2  # Second Proposition: no speaker tonight
    last = fm.advance(ws, fm.skip(ws, fm._speech(state, 5)))
    assert last.phase == "post_vote"
    with pytest.raises(TransitionError, match="cannot be skipped"):
        fm.skip(ws, fm._speech(state, 7))
    assert fm.advance(ws, last).phase == "finished"
    with pytest.raises(TransitionError, match="is over"):
        fm.advance(ws, fm.advance(ws, last))


def test_points_of_information_follow_protected_time_and_extensions():
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from cogs.debate import format_machine as fm

    bp, t0 = shipped()["british-parliamentary"], datetime(2026, 1, 1, tzinfo=UTC)
    speech = fm.give_floor(bp, fm.advance(bp, fm.opening_state(bp, t0)), t0, 7, "for")
    with pytest.raises(POIError, match="after the first 60 s"):
        fm.check_offer(bp, speech, t0 + timedelta(seconds=59), 8)
    assert fm.check_offer(bp, speech, t0 + timedelta(seconds=60), 8).title.startswith("Prime")
    with pytest.raises(POIError, match="You have the floor"):
        fm.check_offer(bp, speech, t0 + timedelta(seconds=90), 7)
    with pytest.raises(POIError, match="last 60 s"):
        fm.check_offer(bp, speech, t0 + timedelta(seconds=361), 8)
    extended = replace(speech, deadline=speech.deadline + timedelta(seconds=60), length=480.0)
    fm.check_offer(bp, extended, t0 + timedelta(seconds=361), 8)  # the protected end moved
    opens, closes = fm.poi_window(bp, speech)
    assert (opens - t0, closes - t0) == (timedelta(seconds=60), timedelta(seconds=360))
    with pytest.raises(POIError, match="Time is up"):
        fm.check_offer(bp, speech, t0 + timedelta(seconds=500), 8)
    oxford = shipped()["oxford"]
    with pytest.raises(POIError, match="takes no points of information"):
        fm.check_offer(oxford, speech, t0, 8)
