"""The judges' rules directly: ballots checked (ranges, ranks, low-point wins), the panel's
decision (majority with the split noted, BP by the sum of ranks), the stored spelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from cogs.debate import judging
from cogs.debate.formats import FormatError, load_formats, parse_formats
from cogs.debate.judging import Ballot, BallotError, decide, make_ballot

FORMATS = {f.id: f for f in load_formats(Path("herbot_config/formats.toml"))}
BP, WSDC, AP = (
    FORMATS["british-parliamentary"],
    FORMATS["world-schools"],
    FORMATS["asian-parliamentary"],
)


def test_formats_carry_their_teams_ranges_and_vetoes():
    assert BP.teams == (
        "Opening Government",
        "Opening Opposition",
        "Closing Government",
        "Closing Opposition",
    )
    assert BP.speaker_points == (50, 100) and not BP.motion_veto
    assert WSDC.teams == ("For", "Against") and WSDC.speaker_points == (60, 80)
    assert WSDC.points_range(WSDC.speeches[-1]) == (30, 40)  # a reply speech's half scale
    assert AP.speaker_points == (65, 85) and AP.motion_veto and WSDC.motion_veto


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"speaker_points": [80, 60]}, "'speaker_points' must be [low, high]"),
        ({"motion_veto": "yes"}, "'motion_veto' must be true or false"),
    ],
)
def test_bad_judging_settings_are_named(change, message):
    entry = {
        "id": "x",
        "name": "X",
        "speeches": [
            {"title": "A", "side": "for", "seconds": 60},
            {"title": "B", "side": "against", "seconds": 60},
        ],
        **change,
    }
    with pytest.raises(FormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_formats({"format": [entry]}, "f.toml")


def test_a_team_on_both_sides_is_refused():
    entry = {
        "id": "x",
        "name": "X",
        "speeches": [
            {"title": "A", "side": "for", "seconds": 60, "team": "T"},
            {"title": "B", "side": "against", "seconds": 60, "team": "T"},
        ],
    }
    with pytest.raises(FormatError, match="speaks for both sides"):
        parse_formats({"format": [entry]}, "f.toml")


def wsdc_points(prop: int = 75, opp: int = 72) -> str:
    lines = []
    for speech in WSDC.speeches:
        reply = speech.title.endswith("Reply")
        value = (prop if speech.side == "for" else opp) // (2 if reply else 1)
        lines.append(f"{speech.title}: {value}")
    return "\n".join(lines)


def test_a_two_sided_ballot_and_its_checks():
    ballot = make_ballot(WSDC, 1, "for", wsdc_points())
    assert ballot.ranking == ("For", "Against")
    assert ballot.points[0] == 75 and ballot.points[-1] == 37
    with pytest.raises(BallotError, match="First Proposition: 81 is outside the range 60-80"):
        make_ballot(WSDC, 1, "For", wsdc_points(prop=81))
    with pytest.raises(BallotError, match="no low-point wins"):
        make_ballot(WSDC, 1, "Against", wsdc_points())
    with pytest.raises(BallotError, match="Give 8 lines"):
        make_ballot(WSDC, 1, "For", "75\n72")
    with pytest.raises(BallotError, match="Name the winner"):
        make_ballot(WSDC, 1, "<@123>", wsdc_points())
    with pytest.raises(BallotError, match="not a whole number"):
        make_ballot(WSDC, 1, "For", wsdc_points().replace("75", "7\x005", 1))
    skipped = wsdc_points().replace("Opposition Reply: 36", "Opposition Reply: -")
    assert make_ballot(WSDC, 1, "For", skipped).points[-2] is None


def bp_points(order: str) -> str:
    """Points that agree with ``order`` (initials, first to last)."""
    teams = [t.strip() for t in order.split(",")]
    score = {t: 80 - 5 * i for i, t in enumerate(teams)}
    return "\n".join(f"{s.title}: {score[judging.initials(BP.team_of(s))]}" for s in BP.speeches)


def test_bp_ranks_all_four_teams_once():
    ballot = make_ballot(BP, 1, "CG, OG, CO, OO", bp_points("CG, OG, CO, OO"))
    assert ballot.ranking[0] == "Closing Government"
    with pytest.raises(BallotError, match="ranked twice"):
        make_ballot(BP, 1, "CG, CG, CO, OO", bp_points("CG, OG, CO, OO"))
    with pytest.raises(BallotError, match="Rank all 4 teams"):
        make_ballot(BP, 1, "CG, OG", bp_points("CG, OG, CO, OO"))
    with pytest.raises(BallotError, match="Opening Government is ranked above"):
        make_ballot(BP, 1, "OG, CG, CO, OO", bp_points("CG, OG, CO, OO"))


def test_two_sided_majority_with_the_split_noted():
    ballots = [
        make_ballot(WSDC, 1, "For", wsdc_points()),
        make_ballot(WSDC, 2, "For", wsdc_points(74, 73)),
        make_ballot(WSDC, 3, "Against", wsdc_points(70, 76)),
    ]
    decision = decide(WSDC, ballots)
    assert decision is not None
    assert decision.winner == "For" and decision.note == "split decision (2-1)"
    assert decision.points[0] == pytest.approx(73.0)
    assert decide(WSDC, ballots[:2]).note == "unanimous (2-0)"
    even = decide(WSDC, [ballots[0], ballots[2]])
    assert even.note.startswith("an even split (1-1)")
    assert decide(WSDC, []) is None


def test_bp_panel_by_sum_of_ranks():
    ballots = [
        make_ballot(BP, 1, "CG, OG, CO, OO", bp_points("CG, OG, CO, OO")),
        make_ballot(BP, 2, "CG, OO, OG, CO", bp_points("CG, OO, OG, CO")),
        make_ballot(BP, 3, "OG, CG, CO, OO", bp_points("OG, CG, CO, OO")),
    ]
    decision = decide(BP, ballots)
    assert decision.ranking == (
        "Closing Government",  # 1+1+2
        "Opening Government",  # 2+3+1
        "Opening Opposition",  # 4+2+4 = 10, more points than CO's 3+4+3 = 10
        "Closing Opposition",
    )
    assert decision.note == "split decision: Closing Government first on 2 of 3 ballots"
    assert judging.ranking_text(BP, decision.ranking).startswith("1st Closing Government, 2nd")


def test_stored_spelling_round_trips():
    ballot = Ballot(
        1, ("Closing Government", *BP.teams[:2], BP.teams[3]), (50, None, 100) * 2 + (60, 61)
    )
    ranking = judging.encode_ranking(BP, ballot.ranking)
    assert judging.decode_ranking(BP, ranking) == ballot.ranking
    assert judging.decode_points(judging.encode(ballot.points)) == ballot.points
