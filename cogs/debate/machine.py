"""The debate's phases and speech timer as a pure state machine (no discord, no database).

Every control is a function ``(state, now, ...) -> new state`` that raises
:class:`TransitionError` with a sentence for the moderator when it is not allowed. Timers are
kept as a deadline while running and as seconds left while paused, so a restart resumes them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

PHASES = (
    "pre_vote",
    "opening_for",
    "opening_against",
    "rebuttal",
    "questions",
    "closing_for",
    "closing_against",
    "post_vote",
    "finished",
)
TITLES = {
    "pre_vote": "Pre-debate vote",
    "opening_for": "Opening statements: For",
    "opening_against": "Opening statements: Against",
    "rebuttal": "Rebuttals",
    "questions": "Audience questions",
    "closing_for": "Closing statements: For",
    "closing_against": "Closing statements: Against",
    "post_vote": "Post-debate vote",
    "finished": "Finished",
    # A format's own phases (cogs/debate/format_machine.py; the classic order never has them).
    "prep": "Preparation",
    "speech": "Speeches",
}
# The side whose speaker queue a phase calls from; None: either side (rebuttals).
PHASE_SIDE = {
    "opening_for": "for",
    "opening_against": "against",
    "closing_for": "for",
    "closing_against": "against",
}
TIMED = frozenset(
    {"opening_for", "opening_against", "rebuttal", "questions", "closing_for", "closing_against"}
)
# The votes cannot be skipped: they are the result.
SKIPPABLE = TIMED


class TransitionError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class State:
    phase: str = "pre_vote"
    paused: bool = False
    speaker_id: int | None = None
    speaker_side: str | None = None  # "for", "against" or "question"
    deadline: datetime | None = None  # a running speech
    remaining: float | None = None  # a paused speech: seconds left
    length: float | None = None  # the speech's full length
    seq: int = 0  # one per speech, so notices are posted once per speech
    speech_index: int | None = None  # a format's speech (format_machine.py); None: classic

    @property
    def timer_running(self) -> bool:
        return self.deadline is not None and not self.paused

    def seconds_left(self, now: datetime) -> float | None:
        if self.deadline is not None:
            return max(0.0, (self.deadline - now).total_seconds())
        return self.remaining


def next_phase(phase: str) -> str:
    i = PHASES.index(phase)
    if i == len(PHASES) - 1:
        raise TransitionError("The debate is over.")
    return PHASES[i + 1]


def _enter(state: State, phase: str) -> State:
    return State(phase=phase, seq=state.seq + 1)


def advance(state: State) -> State:
    """Move to the next phase; the floor is cleared and any speech timer stopped."""
    if state.phase == "finished":
        raise TransitionError("The debate is over.")
    return _enter(state, next_phase(state.phase))


def skip(state: State) -> State:
    """Jump over the next phase (e.g. no audience questions tonight)."""
    if state.phase in ("post_vote", "finished"):
        raise TransitionError("Nothing to skip: the debate is ending.")
    upcoming = next_phase(state.phase)
    if upcoming not in SKIPPABLE:
        raise TransitionError(f"{TITLES[upcoming]} cannot be skipped: it decides the result.")
    return _enter(state, next_phase(upcoming))


def pause(state: State, now: datetime) -> State:
    if state.phase == "finished":
        raise TransitionError("The debate is over.")
    if state.paused:
        raise TransitionError("The debate is already paused.")
    left = state.seconds_left(now)
    return replace(state, paused=True, deadline=None, remaining=left)


def resume(state: State, now: datetime) -> State:
    if not state.paused:
        raise TransitionError("The debate is not paused.")
    deadline = None
    if state.remaining is not None:
        deadline = now + timedelta(seconds=state.remaining)
    return replace(state, paused=False, deadline=deadline, remaining=None)


def extend(state: State, seconds: float, now: datetime | None = None) -> State:
    """Add time to the speech; a speech whose time is already up gets ``seconds`` from now."""
    if state.deadline is None and state.remaining is None:
        raise TransitionError("No speech is being timed: call a speaker first.")
    length = (state.length or 0) + seconds
    if state.deadline is not None:
        start = state.deadline if now is None else max(state.deadline, now)
        return replace(state, deadline=start + timedelta(seconds=seconds), length=length)
    return replace(state, remaining=(state.remaining or 0) + seconds, length=length)


def give_floor(state: State, now: datetime, speaker_id: int, side: str, seconds: float) -> State:
    """A new speech (or audience question) starts with a fresh timer."""
    if state.phase not in TIMED:
        raise TransitionError(f"Nobody speaks during the {TITLES[state.phase].lower()}.")
    if state.paused:
        raise TransitionError("Resume the debate before calling the next speaker.")
    wanted = PHASE_SIDE.get(state.phase)
    if state.phase == "questions" and side != "question":
        raise TransitionError("During audience questions, call the next question.")
    if wanted is not None and side != wanted:
        raise TransitionError(f"This phase is for the {wanted.title()} side.")
    return replace(
        state,
        speaker_id=speaker_id,
        speaker_side=side,
        deadline=now + timedelta(seconds=seconds),
        remaining=None,
        length=seconds,
        seq=state.seq + 1,
    )


def notices_due(state: State, now: datetime, warnings: tuple[int, ...]) -> list[str]:
    """Timer notices whose moment has come: "60", "30" (seconds left) and "end"."""
    if state.deadline is None or state.paused:
        return []
    left = (state.deadline - now).total_seconds()
    due = [str(w) for w in warnings if left <= w and (state.length or 0) > w]
    if left <= 0:
        due.append("end")
    return due


def next_wakeup(state: State, warnings: tuple[int, ...], done: set[str]) -> datetime | None:
    """When the timer task should wake next (the earliest notice not yet posted)."""
    if state.deadline is None or state.paused:
        return None
    moments = [
        state.deadline - timedelta(seconds=w)
        for w in warnings
        if str(w) not in done and (state.length or 0) > w
    ]
    if "end" not in done:
        moments.append(state.deadline)
    return min(moments) if moments else None
