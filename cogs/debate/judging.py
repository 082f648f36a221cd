"""Judges' ballots and the panel's decision: what a ballot says and how a panel decides.

Pure domain (no discord, no SQL). A judge's :class:`Ballot` ranks the format's teams (the
winner first: two-sided formats rank two, British Parliamentary four) and gives every speech
its speaker points, in the format's range (:meth:`Format.points_range`). A ballot is checked
once, when the judge hands it in (:func:`make_ballot`): every point in range, every team
ranked once, and no low-point win (a team ranked above another scores more in total, as
Tabbycat requires by default).

The panel's :func:`decide`: the winner of a two-team debate is the team most ballots name (a
2-1 split is noted); an even split goes to the team with more speaker points over all
ballots. Four teams are ordered by the sum of their ranks over the ballots (the lower the
better), then by their speaker points; the note says how many ballots put the winner first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from cogs.debate.formats import Format

_SEPARATORS = re.compile(r"[,;>\n]+")
_NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")
SKIPPED = ("", "-", "—")  # a speech nobody gave: no points


class BallotError(ValueError):
    """A ballot that cannot be counted; the message says which line and why."""


@dataclass(frozen=True, slots=True)
class Ballot:
    judge_id: int
    ranking: tuple[str, ...]  # team names, first to last
    points: tuple[int | None, ...]  # per speech, in the format's order; None: not given


@dataclass(frozen=True, slots=True)
class Decision:
    ranking: tuple[str, ...]  # the panel's order, winner first
    firsts: dict[str, int]  # team -> ballots that put it first
    ballots: int
    note: str  # "unanimous (3-0)", "split decision (2-1)", ...
    points: tuple[float | None, ...]  # the mean per speech over the ballots that scored it

    @property
    def winner(self) -> str:
        return self.ranking[0]


def initials(team: str) -> str:
    return "".join(word[0] for word in team.split() if word).upper()


def team_names(fmt: Format) -> dict[str, str]:
    """What a judge may type for each team (casefolded): its name or its initials."""
    names: dict[str, str] = {}
    for team in fmt.teams:
        names[team.casefold()] = team
        names.setdefault(initials(team).casefold(), team)
    return names


def ranking_prompt(fmt: Format) -> str:
    if len(fmt.teams) == 2:
        return f"The winner: {' or '.join(fmt.teams)}"
    return "Teams first to last, e.g. " + ", ".join(initials(t) for t in fmt.teams)


def points_template(fmt: Format, points: Sequence[int | None] | None = None) -> str:
    """The points field's lines, one per speech ("title: points"), for the judge to fill."""
    lines = []
    for i, speech in enumerate(fmt.speeches):
        given = points[i] if points is not None and i < len(points) else None
        lines.append(f"{speech.title}: {'' if given is None else given}".rstrip())
    return "\n".join(lines)


def parse_ranking(fmt: Format, text: str) -> tuple[str, ...]:
    names = team_names(fmt)
    words = [w.strip() for w in _SEPARATORS.split(text) if w.strip()]
    teams = fmt.teams
    if len(teams) == 2 and len(words) == 1:  # the winner alone; the other team is second
        winner = names.get(words[0].casefold())
        if winner is None:
            raise BallotError(f"Name the winner: {' or '.join(teams)}.")
        return (winner, *(t for t in teams if t != winner))
    ranked: list[str] = []
    for word in words:
        team = names.get(word.casefold())
        if team is None:
            raise BallotError(
                f"{word[:40]!r} is not a team: use "
                + ", ".join(f"{initials(t)} ({t})" for t in teams)
                + "."
            )
        if team in ranked:
            raise BallotError(f"{team} is ranked twice: rank each team once.")
        ranked.append(team)
    if len(ranked) != len(teams):
        raise BallotError(f"Rank all {len(teams)} teams, first to last ({ranking_prompt(fmt)}).")
    return tuple(ranked)


def parse_points(fmt: Format, text: str) -> tuple[int | None, ...]:
    """One line per speech, in order: ``title: points`` (or the number alone); blank or
    ``-``: nobody gave that speech."""
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    speeches = fmt.speeches
    if len(lines) != len(speeches):
        raise BallotError(
            f"Give {len(speeches)} lines of speaker points, one per speech in order "
            f"(got {len(lines)})."
        )
    points: list[int | None] = []
    for speech, line in zip(speeches, lines, strict=True):
        value = line.rsplit(":", 1)[-1].strip()
        lo, hi = fmt.points_range(speech)
        if value in SKIPPED:
            points.append(None)
            continue
        found = _NUMBER.match(value)
        if found is None:
            raise BallotError(
                f"{speech.title}: {value[:20]!r} is not a whole number of points ({lo}-{hi})."
            )
        number = int(found.group(1))
        if not lo <= number <= hi:
            raise BallotError(f"{speech.title}: {number} is outside the range {lo}-{hi}.")
        points.append(number)
    if all(p is None for p in points):
        raise BallotError("Give the speakers their points.")
    return tuple(points)


def team_points(fmt: Format, points: Sequence[int | None]) -> dict[str, int]:
    totals = dict.fromkeys(fmt.teams, 0)
    for speech, given in zip(fmt.speeches, points, strict=True):
        totals[fmt.team_of(speech)] += given or 0
    return totals


def make_ballot(fmt: Format, judge_id: int, ranking_text: str, points_text: str) -> Ballot:
    """A judge's ballot from the form's two fields; :class:`BallotError` says what is wrong."""
    ranking = parse_ranking(fmt, ranking_text)
    points = parse_points(fmt, points_text)
    totals = team_points(fmt, points)
    for higher, lower in pairwise(ranking):
        if totals[higher] <= totals[lower]:
            raise BallotError(
                f"{higher} is ranked above {lower} but scores {totals[higher]} points to "
                f"{totals[lower]}: no low-point wins (or ties): change the ranking or the points."
            )
    return Ballot(judge_id, ranking, points)


def decide(fmt: Format, ballots: Sequence[Ballot]) -> Decision | None:
    """The panel's decision; None without a ballot."""
    if not ballots:
        return None
    teams = fmt.teams
    firsts = {t: sum(1 for b in ballots if b.ranking[0] == t) for t in teams}
    rank_sums = {t: sum(b.ranking.index(t) + 1 for b in ballots) for t in teams}
    totals = dict.fromkeys(teams, 0)
    for b in ballots:
        for team, n in team_points(fmt, b.points).items():
            totals[team] += n
    if len(teams) == 2:
        key = {t: (-firsts[t], -totals[t], teams.index(t)) for t in teams}
    else:
        key = {t: (rank_sums[t], -totals[t], teams.index(t)) for t in teams}
    ranking = tuple(sorted(teams, key=key.__getitem__))
    n, winner = len(ballots), ranking[0]
    if len(teams) == 2:
        tally = f"{firsts[winner]}-{n - firsts[winner]}"
        if firsts[winner] == n:
            note = f"unanimous ({tally})" if n > 1 else "a single judge"
        elif firsts[winner] * 2 == n:
            note = f"an even split ({tally}), decided on speaker points"
        else:
            note = f"split decision ({tally})"
    else:
        same = all(b.ranking == ranking for b in ballots)
        if n == 1:
            note = "a single judge"
        elif same:
            note = f"unanimous ({n} ballots agree)"
        else:
            note = f"split decision: {winner} first on {firsts[winner]} of {n} ballots"
    means: list[float | None] = []
    for i in range(len(fmt.speeches)):
        given = [b.points[i] for b in ballots if b.points[i] is not None]
        means.append(round(sum(given) / len(given), 1) if given else None)  # type: ignore[arg-type]
    return Decision(ranking, firsts, n, note, tuple(means))


def ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def ranking_text(fmt: Format, ranking: Sequence[str]) -> str:
    if len(fmt.teams) == 2:
        return f"**{ranking[0]}** wins"
    return ", ".join(f"{ordinal(i)} {team}" for i, team in enumerate(ranking, 1))


def points_lines(fmt: Format, points: Sequence[float | int | None]) -> list[str]:
    return [
        f"{speech.title}: {'—' if given is None else f'{given:g}'}"
        for speech, given in zip(fmt.speeches, points, strict=True)
    ]


def encode(values: Sequence[object]) -> str:
    """A ballot's ranking or points as stored: comma-separated ('' for a point not given)."""
    return ",".join("" if v is None else str(v) for v in values)


def decode_points(text: str) -> tuple[int | None, ...]:
    return tuple(int(v) if v else None for v in text.split(","))


def decode_ranking(fmt: Format, text: str) -> tuple[str, ...]:
    """Stored as team positions in the format (names may be renamed in the file)."""
    return tuple(fmt.teams[int(i)] for i in text.split(","))


def encode_ranking(fmt: Format, ranking: Sequence[str]) -> str:
    return encode([fmt.teams.index(t) for t in ranking])
