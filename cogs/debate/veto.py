"""The motion veto before preparation (formats with ``motion_veto``: Asian Parliamentary, WSDC).

Pure domain (no discord, no SQL). The moderator gives three motions; each side strikes one
(a different one: the motion the other side struck is off the table already), and the one
left is debated. herbot knows no teams, so a member's side is the speaker queue they wait in
(*Speak For* / *Speak Against*), and a side's first strike is its strike. A side that has not
struck when the veto's time is up loses its strike: the first motion left, in the
moderator's order, is debated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

MOTIONS = 3
VETO_SECONDS = 300
SIDE_WORDS = {"for": "For", "against": "Against"}


class VetoError(ValueError):
    """A strike or a motion set that is not allowed; the message says why."""


@dataclass(frozen=True, slots=True)
class Veto:
    debate_id: int
    motions: tuple[str, ...]
    deadline: datetime
    strikes: Mapping[str, int] = field(default_factory=dict)  # side -> 0-based position
    chosen: int | None = None

    @property
    def remaining(self) -> tuple[int, ...]:
        struck = set(self.strikes.values())
        return tuple(i for i in range(len(self.motions)) if i not in struck)


def motion_set(first: str, others: str, resolve: Callable[[str], str]) -> tuple[str, ...]:
    """The three motions: ``first`` and the two ``others`` ("A; B"), each a preset or words."""
    extra = [part.strip() for part in others.split(";") if part.strip()]
    if len(extra) != MOTIONS - 1:
        raise VetoError(
            f"A motion veto takes {MOTIONS} motions: the motion and {MOTIONS - 1} more in "
            "`veto`, separated by ';' (e.g. 'her-tweet-fair; best-scene')."
        )
    motions = (first, *(resolve(part) for part in extra))
    if len({m.casefold() for m in motions}) != len(motions):
        raise VetoError("The motion veto's three motions must differ.")
    return motions


def check_strike(veto: Veto, side: str | None, position: int) -> None:
    """Raise :class:`VetoError` with the reason when ``side`` may not strike ``position``."""
    if veto.chosen is not None:
        raise VetoError("The motion veto is over: the motion is chosen.")
    if side is None:
        raise VetoError(
            "Join a side first (**Speak For** or **Speak Against** on the panel): each side "
            "strikes one motion."
        )
    if not 0 <= position < len(veto.motions):
        raise VetoError("That motion is not in this veto.")
    if side in veto.strikes:
        raise VetoError(
            f"The {SIDE_WORDS[side]} side struck motion {veto.strikes[side] + 1} already."
        )
    if position in veto.strikes.values():
        raise VetoError(
            f"Motion {position + 1} is struck already (by the other side): strike another."
        )


def outcome(veto: Veto, timed_out: bool) -> int | None:
    """The motion debated (its position), once both sides struck or the time is up."""
    if veto.chosen is not None:
        return veto.chosen
    if len(veto.strikes) < len(SIDE_WORDS) and not timed_out:
        return None
    return veto.remaining[0]


def veto_text(veto: Veto) -> str:
    lines = [f"**{i + 1}.** {motion}" for i, motion in enumerate(veto.motions)]
    return (
        "📜 **Motion veto**: each side strikes one of these motions (a member waiting to speak "
        "for that side presses **Strike**; the side's first strike counts). The motion left is "
        "debated; a side that has not struck by the end of the veto loses its strike.\n"
        + "\n".join(lines)
    )


def chosen_text(veto: Veto, position: int) -> str:
    struck = ", ".join(
        f"{SIDE_WORDS[side]} struck {index + 1}" for side, index in sorted(veto.strikes.items())
    )
    how = struck or "no strikes"
    return f"📜 **The motion** (motion {position + 1}; {how}): {veto.motions[position]}"
