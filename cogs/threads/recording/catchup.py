"""Catch-up after downtime, as plain decisions: what a refetched page of history means.

While herbot is down (a restart, a crash, a gateway session that could not resume) members
go on posting, editing and deleting in recorded conversations. On the next start or resume
:mod:`cogs.threads.recording.catchup_cog` fetches each active conversation's history down
to a resume point, one page at a time, newest first (so a bounded catch-up keeps the newest
missed messages, next to what is recorded live), and this module says what to do with a
page: which messages are new (stored as if live, marked recovered), which kept ones were
edited (a new version, when Discord's ``edited_timestamp`` is after the kept version's),
and which kept ones Discord no longer returns (tombstoned, marked deleted while down).

The bound of the deletion check: a kept message can only be found missing inside the id
range the refetch covered, that is after the resume point (the last ``catchup_recheck``
messages kept before the downtime are re-read on purpose) and up to the newest message the
first page returned. Older kept messages are not re-checked, and a kept message newer than
anything Discord returns (the very last one, deleted with nothing posted after it) is not
judged: a message posted after the request must not be taken for deleted.

No discord and no SQL here: the cog fetches, the store reads and writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cogs.threads.records import stamp

PAGE = 100  # Discord's largest page of channel history


@dataclass(frozen=True, slots=True)
class Seen:
    """A message the refetch returned: its id and when Discord says it was last edited."""

    message_id: int
    edited_at: datetime | None


@dataclass(frozen=True, slots=True)
class Kept:
    """A recorded message in the refetched range, as the store holds it."""

    message_id: int
    edited_at: str | None  # the latest version's stamp; None for the message as sent
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class PagePlan:
    new: tuple[int, ...]  # returned, not kept: store as recovered
    edited: tuple[int, ...]  # kept, edited after the kept version: store a version
    deleted: tuple[int, ...]  # kept, in the checked range, not returned: tombstone
    next_before: int | None  # the gap's upper cursor after this page
    ended: bool  # the gap is fetched down to its resume point


def check_range(
    after: int, before: int | None, returned: Sequence[Seen], *, limit: int
) -> tuple[int, int]:
    """``(low, high]``: the ids a page covered, where a kept message must be returned.

    The top is the page's cursor (``before``, exclusive) or, on the first page, the newest
    id returned (a message posted after the request is not judged); the bottom is the
    page's oldest id, or the gap's resume point once the history below was exhausted.
    """
    ids = [s.message_id for s in returned if s.message_id > after]
    ended = len(returned) < limit or len(ids) < len(returned)
    high = before - 1 if before is not None else max(ids, default=after)
    low = after if ended else min(ids) - 1
    return low, high


def plan_page(
    after: int,
    before: int | None,
    returned: Sequence[Seen],
    kept: Mapping[int, Kept],
    *,
    limit: int = PAGE,
) -> PagePlan:
    """What a page of history fetched before ``before`` (newest first) means for the gap
    above ``after``, given what is kept in :func:`check_range` (``kept``)."""
    low, high = check_range(after, before, returned, limit=limit)
    in_gap = [s for s in returned if s.message_id > after]
    ids = {s.message_id for s in in_gap}
    new = tuple(sorted(i for i in ids if i not in kept))
    edited = tuple(sorted(s.message_id for s in in_gap if _edited_since(s, kept)))
    deleted = tuple(
        sorted(
            k.message_id
            for k in kept.values()
            if low < k.message_id <= high and k.message_id not in ids and not k.deleted
        )
    )
    ended = len(returned) < limit or len(in_gap) < len(returned)
    return PagePlan(new, edited, deleted, min(ids, default=before), ended)


def _edited_since(seen: Seen, kept: Mapping[int, Kept]) -> bool:
    """Discord shows an edit after the version kept (edited while herbot was down)."""
    held = kept.get(seen.message_id)
    if held is None or held.deleted or seen.edited_at is None:
        return False
    return held.edited_at is None or stamp(seen.edited_at) > held.edited_at


def resume_point(kept_newest_first: Sequence[int], recheck: int, floor: int) -> int:
    """Where a gap's refetch starts: before the last ``recheck`` messages kept before the
    downtime (they are re-read for edits and deletions), never before ``floor`` (the
    recording's start) unless messages older than it were kept (a backfill)."""
    if len(kept_newest_first) > recheck:
        return kept_newest_first[recheck]
    if kept_newest_first:
        return min(kept_newest_first[-1] - 1, floor)
    return floor


def page_size(fetched: int, per_conversation: int, left_this_start: int) -> int:
    """The next page's ``limit`` for a gap that fetched ``fetched`` so far, within the
    per-conversation bound and what this start may still fetch (0: stop here)."""
    return max(0, min(PAGE, per_conversation - fetched, left_this_start))
