"""Debate events, the domain: the debate row as a value, queue entries, the result's sides.

Moderator controls read a :class:`Debate`, apply a :mod:`cogs.debate.machine` transition and
the store writes it back only if nobody changed it in between (``version`` column): two
moderators clicking at once cannot both apply a transition to the same old state. No discord
and no SQL here (the rows live in :mod:`cogs.debate.store`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cogs.debate import machine, swing

# The kinds of the polls a debate runs (cogs/polls/service.py: polls of another feature).
PRE_VOTE = "debate_pre"
POST_VOTE = "debate_post"
VOTE_KINDS = (PRE_VOTE, POST_VOTE)


class DebateError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Debate:
    id: int
    guild_id: int
    channel_id: int
    thread_id: int | None
    panel_message_id: int | None
    motion: str
    moderator_id: int
    state: machine.State
    notices: frozenset[str]
    version: int
    pre_poll_id: int | None
    post_poll_id: int | None
    question_text: str | None
    created_at: datetime
    finished_at: datetime | None
    format_id: str = "oxford"  # herbot_config/formats.toml; "oxford" runs the classic order
    stage_channel_id: int | None = None  # a Stage whose speakers herbot moves (stage.py)


@dataclass(frozen=True, slots=True)
class PointOfInformation:
    """A member's point of information, offered during a speech; answer None while waiting."""

    id: int
    debate_id: int
    speech_index: int
    speech_seq: int
    user_id: int
    message_id: int | None
    answer: str | None  # "accepted", "declined" or "lapsed" (the speech ended first)


@dataclass(frozen=True, slots=True)
class Waiting:
    entry_id: int
    user_id: int
    side: str | None
    text: str | None


SIDE_OF_POSITION = ("for", "against", "undecided")  # the debate polls' option order


def swing_of(pre: Mapping[int, int], post: Mapping[int, int]) -> swing.SwingResult:
    """The swing between the pre- and post-debate ballots (user id -> option position).

    A forgotten member's closed-poll ballots share one surrogate id, so they still pair up.
    """
    return swing.compute(
        {u: SIDE_OF_POSITION[p] for u, p in pre.items()},
        {u: SIDE_OF_POSITION[p] for u, p in post.items()},
    )
