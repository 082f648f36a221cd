"""A debate in a format of ``herbot_config/formats.toml``: preparation, speeches in order, POIs.

Pure domain (no discord, no SQL), beside :mod:`cogs.debate.machine` which keeps the classic
Oxford order (today's behaviour, the default format ``oxford``). A formatted debate goes::

    prep (if the format has preparation time; the pre-debate vote is open meanwhile)
      or pre_vote  ->  speech 0 .. speech N-1  ->  post_vote  ->  finished

``phase`` is ``"speech"`` for every speech and ``speech_index`` says which. Preparation is a
timer like a speech's (a deadline while running, seconds left while paused), so a restart
resumes it; when it ends the first speech begins. A speech's timer starts when the moderator
calls its speaker (the first member waiting on that speech's side), for the speech's length.
Points of information (:func:`check_offer`) follow the format's protected time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from cogs.debate.formats import Format, POIError, Speech, check_poi
from cogs.debate.machine import State, TransitionError

CLASSIC = "oxford"  # the classic order of machine.py, unchanged
BEFORE_SPEECHES = ("pre_vote", "prep")
SIDE_LABELS = {"for": "For", "against": "Against"}
PHASE_WORDS = {
    "prep": "preparation",
    "pre_vote": "pre-debate vote",
    "post_vote": "post-debate vote",
}


def is_classic(format_id: str) -> bool:
    return format_id == CLASSIC


def opening_state(fmt: Format, now: datetime) -> State:
    """A new debate: preparation running if the format has it, else the pre-debate vote."""
    if fmt.prep_seconds:
        deadline = now + timedelta(seconds=fmt.prep_seconds)
        return State(phase="prep", deadline=deadline, length=float(fmt.prep_seconds), seq=1)
    return State()


def current_speech(fmt: Format, state: State) -> Speech | None:
    if state.phase != "speech" or state.speech_index is None:
        return None
    return fmt.speech(state.speech_index)


def upcoming(fmt: Format, state: State) -> int | None:
    """The index of the next speech; None when the speeches are over (or never start)."""
    if state.phase in BEFORE_SPEECHES:
        return 0
    if state.phase == "speech" and state.speech_index is not None:
        nxt = state.speech_index + 1
        return nxt if nxt < len(fmt.speeches) else None
    return None


def speech_title(fmt: Format, index: int) -> str:
    speech = fmt.speech(index)
    return f"Speech {index + 1} of {len(fmt.speeches)}: {speech.title} ({SIDE_LABELS[speech.side]})"


def _speech(state: State, index: int) -> State:
    return State(phase="speech", speech_index=index, seq=state.seq + 1)


def _after_speeches(state: State) -> State:
    return State(phase="post_vote", seq=state.seq + 1)


def advance(fmt: Format, state: State) -> State:
    """The next step: preparation ends, the next speech, or the votes after the last one."""
    if state.phase == "finished":
        raise TransitionError("The debate is over.")
    if state.phase == "post_vote":
        return State(phase="finished", seq=state.seq + 1)
    nxt = upcoming(fmt, state)
    return _speech(state, nxt) if nxt is not None else _after_speeches(state)


def skip(fmt: Format, state: State) -> State:
    """End preparation early; otherwise jump over the next speech (a missing speaker)."""
    if state.phase == "prep":
        return advance(fmt, state)
    if state.phase in ("post_vote", "finished"):
        raise TransitionError("Nothing to skip: the debate is ending.")
    nxt = upcoming(fmt, state)
    if nxt is None:
        raise TransitionError("Post-debate vote cannot be skipped: it decides the result.")
    after = nxt + 1
    return _speech(state, after) if after < len(fmt.speeches) else _after_speeches(state)


def require_speech(fmt: Format, state: State) -> Speech:
    """The speech under way; TransitionError when there is none to call a speaker to."""
    speech = current_speech(fmt, state)
    if speech is None:
        if state.phase == "finished":
            raise TransitionError("The debate is over.")
        raise TransitionError(f"Nobody speaks during the {PHASE_WORDS[state.phase]}.")
    return speech


def give_floor(fmt: Format, state: State, now: datetime, speaker_id: int, side: str) -> State:
    """The speech's speaker is called: its timer starts for the speech's length."""
    speech = require_speech(fmt, state)
    if state.paused:
        raise TransitionError("Resume the debate before calling the next speaker.")
    if side != speech.side:
        raise TransitionError(f"{speech.title} speaks {SIDE_LABELS[speech.side]}.")
    return replace(
        state,
        speaker_id=speaker_id,
        speaker_side=side,
        deadline=now + timedelta(seconds=speech.seconds),
        remaining=None,
        length=float(speech.seconds),
        seq=state.seq + 1,
    )


def check_offer(fmt: Format, state: State, now: datetime, user_id: int) -> Speech:
    """The speech a member may offer a point of information in now; POIError says why not.

    Protected time is counted on the speech as timed (an extension lengthens it, and the
    protected end moves with it).
    """
    if not fmt.takes_pois:
        raise POIError(f"{fmt.name} takes no points of information.")
    speech = current_speech(fmt, state)
    if speech is None:
        raise POIError("Points of information are offered during a speech.")
    if not speech.poi:
        raise POIError(f"{speech.title} takes no points of information.")
    left = state.seconds_left(now)
    if state.speaker_id is None or left is None:
        raise POIError("No speech is being timed yet: wait for the moderator to call the speaker.")
    if state.paused:
        raise POIError("The debate is paused: offer your point when it resumes.")
    if user_id == state.speaker_id:
        raise POIError("You have the floor: points of information come from the others.")
    if left <= 0:
        raise POIError("Time is up for this speech: no more points of information.")
    length = state.length or speech.seconds
    timed = replace(speech, seconds=max(round(length), 1))
    check_poi(fmt, timed, length - left, None)
    return speech


def poi_window(fmt: Format, state: State) -> tuple[datetime, datetime] | None:
    """When points of information open and close in the running speech (for the panel)."""
    speech = current_speech(fmt, state)
    if speech is None or not speech.poi or state.deadline is None or state.paused:
        return None
    length = state.length or speech.seconds
    protected = timedelta(seconds=fmt.poi_protected_seconds)
    begun = state.deadline - timedelta(seconds=length)
    return begun + protected, state.deadline - protected
