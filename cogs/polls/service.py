"""What other features may use of polls; nothing else of cogs/polls is reached from outside.

A feature that runs polls of its own (a debate's pre- and post-debate votes) creates them in
its own transaction with a ``kind`` of its own (:func:`create_poll`), then posts and closes
them through the :class:`PollRunner` the polls feature provides
(``bot.services.get(PollRunner)``), after telling the runner how its kind is shown and
guarded (:class:`HostedKind`). Polls never learns what a debate is. A vote-opening command
of another feature takes the same ``eligible:`` and ``quorum:`` options
(:data:`VOTE_RULES_DESCRIBE`, :func:`parse_rules`) and passes the fixed rules
(:meth:`Rules.for_poll`) to :func:`create_poll`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.db import Reader
from cogs.polls.config import MOTION_OPTIONS, Motion
from cogs.polls.eligibility import DESCRIBE as VOTE_RULES_DESCRIBE
from cogs.polls.eligibility import Eligibility, Rules, Turnout, parse_rules
from cogs.polls.polls import Poll, PollError, Tally
from cogs.polls.store import ballots, create_poll, discard_unposted, get_poll, tally

__all__ = [
    "MOTION_OPTIONS",
    "VOTE_RULES_DESCRIBE",
    "Eligibility",
    "HostedKind",
    "Motion",
    "Poll",
    "PollError",
    "PollRunner",
    "Rules",
    "Tally",
    "Turnout",
    "ballots",
    "create_poll",
    "discard_unposted",
    "get_poll",
    "parse_rules",
    "tally",
]


@dataclass(frozen=True, slots=True)
class HostedKind:
    """How the polls of another feature's ``kind`` are shown and guarded.

    ``embed(poll, tally)`` draws the live message (a ``discord.Embed``); ``published(db, id)``
    says whether its counts are out (until then ``/poll results`` refuses: "Poll #N
    {hidden}."); ``closes`` and ``options_fixed`` refuse ``/poll close`` and
    ``/poll add-option`` on such a poll.
    """

    embed: Callable[[Poll, Tally], Any]
    published: Callable[[Reader, int], Awaitable[bool]]
    hidden: str
    closes: str
    options_fixed: str


class PollRunner(Protocol):
    """The running polls feature, as another feature may use it."""

    def host(self, kinds: Sequence[str], hosted: HostedKind) -> None:
        """Show and guard polls of these kinds as ``hosted`` says."""

    async def post_poll(self, channel: Any, poll_id: int) -> Any:
        """Post the poll's message with its buttons (outside any transaction).

        A refusal by Discord raises :class:`bot.errors.BotMissingPermissions`; the poll is
        then the caller's to discard (:func:`discard_unposted`) in its own undo.
        """

    async def close_poll(self, poll_id: int, by: int | None) -> bool:
        """Close once and post the result; False when it was closed already."""

    async def motion_autocomplete(self, interaction: Any, current: str) -> list[Any]:
        """Preset motions matching what is typed (at most 25 choices)."""

    def resolve_motion(self, text: str) -> tuple[str, tuple[str, ...]]:
        """A preset's id or text, or a motion in words -> (motion, its options)."""
