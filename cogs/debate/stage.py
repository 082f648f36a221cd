"""A debate on a Stage channel: who should be a Stage speaker, from the debate's state.

Pure domain (no discord, no SQL). herbot needs no voice connection: it moves members between
the Stage's speakers and its audience through their ``suppress`` state. The rule is one
function, :func:`on_stage`: the member holding the floor (a speaker, or an audience member
whose question was called) speaks while their time runs and the debate is not paused; a
point of information accepted brings its offerer up beside them for :data:`POI_SECONDS`.
:func:`changes` is what a transition means for the Stage: who comes up, who goes back.
"""

from __future__ import annotations

from cogs.debate.machine import State

POI_SECONDS = 20  # a point of information is a short question
PERMISSIONS = ("view_channel", "mute_members")  # on the Stage: move speakers up and down


def on_stage(state: State, *, time_up: bool = False) -> frozenset[int]:
    """Who speaks on the Stage now (the floor's holder), by the debate's state alone."""
    if state.speaker_id is None or state.paused or time_up or state.phase == "finished":
        return frozenset()
    if state.deadline is None and state.remaining is None:
        return frozenset()  # nobody's time is running
    return frozenset({state.speaker_id})


def changes(
    before: State, after: State, *, time_up: bool = False
) -> tuple[frozenset[int], frozenset[int]]:
    """``(up, down)``: members to bring up, and to send back to the audience."""
    was, now = on_stage(before), on_stage(after, time_up=time_up)
    return now - was, was - now
