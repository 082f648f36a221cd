"""The batched writer of recorded messages: a busy thread never waits on the disk.

Listeners append to an in-memory queue (no I/O, no await). A background task flushes it
every ``flush_interval`` seconds, or as soon as ``max_batch`` items are waiting, in ONE
transaction with ``executemany`` per run of same-kind operations, in arrival order (a
message, its edit and its deletion can share a batch). A flush counts as written only once
its transaction committed. ``close()`` flushes what is left, so a clean shutdown loses
nothing; a crash loses at most the last ``flush_interval``.

One refused row must not hold back every later message. When a batch fails, it is written
again in the same transaction item by item, each in a savepoint: what the database refuses
goes to the quarantine (``recorded_quarantine``: the item as JSON, the error, an error id
that /record status shows and the log explains), the rest is written. Only when every item
fails on its own (the database refuses everything: disk full, a dropped connection) is the
batch rolled back and kept at the head of the queue for the next attempt, for at most
``QUARANTINE_AFTER`` flushes in a row; then it is quarantined too, so it is kept on disk
rather than in memory. If the transaction itself fails (even the quarantine cannot be
written), the whole batch goes back to the head of the queue and nothing of it is kept.

Before anything is written, the batch is checked against the privacy ledger in the same
transaction (:func:`bot.privacy.withholding`): a message of a member who opted out of
recording is written as a placeholder without words, one of a member forgotten (in this
process or any other) after writing it is dropped, and an event they did before their
forget is written without their id. So a forget-me or an opt-out elsewhere reaches what
this process still holds in memory.

The queue changes shape (taken, put back, trimmed) only while its owner holds the database's
write lock, or right after releasing it with no ``await`` in between: a writer waiting for
the lock never sees half of it. /privacy reaches the queue of the recorder writing into its
database through :func:`attached_to` (see :mod:`cogs.threads.privacy`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot import privacy
from bot.db import Database, Transaction
from bot.errors import error_id
from cogs.threads import records
from cogs.threads.recording import store
from cogs.threads.records import MessageRecord

log = logging.getLogger(__name__)

# Flushes in a row in which every item failed on its own before they are quarantined anyway:
# a lone bad row in a quiet thread must not log an error every second forever.
QUARANTINE_AFTER = 3
_ERROR_CHARS = 1000


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class Written:
    """What became of a batch besides being written."""

    quarantined: int = 0  # refused by the database: kept in recorded_quarantine
    # Per member: messages written without their words (opted out of recording) or not at
    # all (forgotten after writing them) ...
    withheld: Counter[int] = dataclasses.field(default_factory=Counter)
    # ... and events of theirs from before their forget, written without their id.
    unnamed: Counter[int] = dataclasses.field(default_factory=Counter)


# Operation kinds, in the order they are applied within a run.
_MESSAGE = "message"
_EDIT = "edit"
_DELETE = "delete"
_EVENT = "event"
# What carries no words and is not quarantined when refused (logged and dropped instead):
# reactions and the latest state of a poll or a card.
_REACT_ADD = "react_add"
_REACT_REMOVE = "react_remove"
_REACT_CLEAR = "react_clear"
_UPDATE = "update"
_REACTIONS = (_REACT_ADD, _REACT_REMOVE, _REACT_CLEAR)
_NOT_QUARANTINED = (*_REACTIONS, _UPDATE)


class Recorder:
    def __init__(
        self,
        db: Database,
        *,
        flush_interval: float = 1.0,
        max_batch: int = 2000,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        if flush_interval <= 0:
            raise ValueError("flush_interval must be positive")
        self.db = db
        self.flush_interval = flush_interval
        self.max_batch = max_batch
        self._queue: list[tuple[str, Any]] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._eager: set[asyncio.Task[int]] = set()
        self.now = now
        self.flushed_total = 0
        self.quarantined_total = 0
        self._failed_flushes = 0  # flushes in a row that kept their batch (every item failed)
        # Members who opted out of recording: their new messages are not queued.
        self.opted_out: set[int] = set()
        # Flush as soon as max_batch items wait (set by start(), or by an owner's own timer).
        self.eager = False
        # Called when the queue stops being empty: an owner's timer can sleep while idle.
        self.on_pending: Callable[[], None] | None = None

    # --- enqueue (synchronous: called from hot event handlers) ---------------------------

    @property
    def pending(self) -> int:
        return len(self._queue)

    def add_message(self, record: MessageRecord) -> None:
        if record.author_id in self.opted_out:
            return
        self._push(_MESSAGE, record)

    def add_edit(self, message_id: int, content: str, edited_at: datetime) -> None:
        self._push(
            _EDIT,
            {"message_id": message_id, "content": content, "edited_at": records.stamp(edited_at)},
        )

    def add_delete(self, message_id: int, deleted_at: datetime) -> None:
        self._push(_DELETE, (message_id, records.stamp(deleted_at)))

    def add_reaction(self, message_id: int, emoji: str, user_id: int, at: datetime) -> None:
        if user_id in self.opted_out:
            return
        self._push(_REACT_ADD, _reaction(message_id, emoji, user_id, at))

    def remove_reaction(self, message_id: int, emoji: str, user_id: int, at: datetime) -> None:
        self._push(_REACT_REMOVE, _reaction(message_id, emoji, user_id, at))

    def clear_reactions(self, message_id: int, emoji: str | None, at: datetime) -> None:
        """A moderator removed every reaction (``emoji`` None) or one emoji's."""
        self._push(_REACT_CLEAR, _reaction(message_id, emoji, None, at))

    def add_update(
        self,
        message_id: int,
        *,
        poll: dict[str, Any] | None = None,
        components: str | None = None,
    ) -> None:
        """A kept message's poll (votes, final result) or card text changed on Discord."""
        if poll is None and components is None:
            return
        self._push(
            _UPDATE,
            {
                "message_id": message_id,
                "poll": None if poll is None else json.dumps(poll),
                "components": components,
            },
        )

    def add_event(
        self, channel_id: int, kind: str, detail: str, actor_id: int | None, at: datetime
    ) -> None:
        if kind not in records.EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        self._push(_EVENT, (channel_id, kind, detail, actor_id, records.stamp(at), channel_id))

    def _push(self, kind: str, item: Any) -> None:
        self._queue.append((kind, item))
        if len(self._queue) == 1 and self.on_pending is not None:
            self.on_pending()
        # One eager flush at a time: the batch is taken only once its transaction has begun,
        # so until then every push would otherwise start another (tiny) flush.
        if len(self._queue) >= self.max_batch and self.eager and not self._eager:
            task = asyncio.ensure_future(self.flush())
            self._eager.add(task)
            task.add_done_callback(self._eager.discard)

    # --- writing -------------------------------------------------------------------------

    async def flush(self) -> int:
        """Write everything queued so far in one transaction; returns how many items left
        the queue (written, or quarantined because the database refused them).

        The count is returned only after the COMMIT. When the batch cannot be written at all
        (every item refused, fewer than ``QUARANTINE_AFTER`` times in a row; or the commit
        itself failed) it is back at the head of the queue and the error propagates.
        """
        async with self._lock:
            if not self._queue:
                return 0
            batch: list[tuple[str, Any]] = []
            try:
                async with self.db.transaction() as tx:
                    # Taken under the write lock: a /privacy transaction that wrote (and will
                    # trim) the queue has committed and trimmed it before we get here.
                    batch, self._queue = self._queue, []
                    give_up = self._failed_flushes + 1 >= QUARANTINE_AFTER
                    done = await write_or_quarantine(tx, batch, now=self.now(), give_up=give_up)
            except BaseException:
                # Rolled back: keep the batch for the next attempt, ahead of anything since.
                self._queue = batch + self._queue
                if batch:
                    self._failed_flushes += 1
                raise
            self._failed_flushes = 0
            self.flushed_total += len(batch) - done.quarantined
            self.quarantined_total += done.quarantined
            return len(batch)

    async def write_queued(self, tx: Transaction) -> Written:
        """Write what is queued now inside the caller's transaction (for /privacy).

        The items stay queued until that transaction commits (then they leave the queue);
        after a rollback they are still queued, so nothing is lost and nothing is doubled.
        Only appends can happen meanwhile: a flush needs the write lock ``tx`` holds.
        What the privacy ledger withholds (the member being forgotten, or opting out,
        recorded first in ``tx``) is not written at all: the result says how much.
        """
        batch = list(self._queue)
        if not batch:
            return Written()
        # No later attempt to wait for: what the database refuses is quarantined now (and
        # forgotten or redacted with the rest, in this transaction).
        done = await write_or_quarantine(tx, batch, now=self.now(), give_up=True)

        def written() -> None:
            if all(a is b for a, b in zip(self._queue, batch, strict=False)):
                del self._queue[: len(batch)]
                self.flushed_total += len(batch) - done.quarantined
                self.quarantined_total += done.quarantined

        tx.after_commit(written)
        return done

    def drop_messages_of(self, author_id: int) -> int:
        """Forget queued messages of one member (their edits then find nothing to change)."""
        before = len(self._queue)
        self._queue = [
            (kind, item)
            for kind, item in self._queue
            if not (kind == _MESSAGE and item.author_id == author_id)
            and not (kind == _REACT_ADD and item["user_id"] == author_id)
        ]
        return before - len(self._queue)

    # --- lifecycle -----------------------------------------------------------------------

    def attach(self) -> None:
        """Be the recorder /privacy finds for this database (the cog's, while loaded)."""
        self.db.runtime[RUNTIME_KEY] = self

    def detach(self) -> None:
        if self.db.runtime.get(RUNTIME_KEY) is self:
            del self.db.runtime[RUNTIME_KEY]

    def start(self) -> None:
        self.eager = True
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="herbot-recorder-flush")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            try:
                await self.flush()
            except Exception:
                log.exception("recorder flush failed; %d items kept for retry", self.pending)

    async def close(self) -> int:
        """Stop the timer and write what is left (clean shutdown loses nothing)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._eager):
            with contextlib.suppress(Exception):
                await task
        return await self.flush()


async def write_batch(tx: Transaction, batch: list[tuple[str, Any]]) -> None:
    """Apply queued operations in order, one ``executemany`` per run of the same kind."""
    for kind, items in _runs(batch):
        if kind == _MESSAGE:
            await tx.executemany(store.INSERT_MESSAGE, [r.message_row() for r in items])
            await tx.executemany(
                store.INSERT_FIRST_VERSION, [(r.content, r.message_id) for r in items]
            )
            counts = [
                {"emoji": e, "count": n, "message_id": r.message_id}
                for r in items
                for e, n in r.reactions
                if n > 0
            ]
            if counts:
                await tx.executemany(store.INSERT_REACTION_COUNT, counts)
        elif kind == _REACT_ADD:
            await tx.executemany(store.ADD_REACTION, [_params(i) for i in items])
        elif kind == _REACT_REMOVE:
            await tx.executemany(store.UNCOUNT_REACTION, [_params(i) for i in items])
            await tx.executemany(store.REMOVE_REACTION, [_params(i) for i in items])
        elif kind == _REACT_CLEAR:
            one = [
                {"message_id": i["message_id"], "emoji": i["emoji"]} for i in items if i["emoji"]
            ]
            every = [{"message_id": i["message_id"]} for i in items if not i["emoji"]]
            if one:
                await tx.executemany(store.CLEAR_EMOJI_REACTIONS, one)
            if every:
                await tx.executemany(store.CLEAR_REACTIONS, every)
        elif kind == _UPDATE:
            await tx.executemany(store.UPDATE_HOLDINGS, items)
        elif kind == _EDIT:
            await tx.executemany(store.INSERT_EDIT, items)
        elif kind == _DELETE:
            await tx.executemany(store.TOMBSTONE, [(at, mid) for mid, at in items])
            await tx.executemany(store.DELETE_VERSIONS, [(mid,) for mid, _ in items])
            await tx.executemany(store.DELETE_QUARANTINED, [(mid,) for mid, _ in items])
            await tx.executemany(store.DELETE_REACTIONS_OF_MESSAGE, [(mid,) for mid, _ in items])
            await tx.executemany(store.DELETE_FILE_LINKS, [(mid,) for mid, _ in items])
            await tx.execute(store.DELETE_UNLINKED_FILES)
        else:
            await tx.executemany(store.INSERT_EVENT, items)


async def write_or_quarantine(
    tx: Transaction, batch: list[tuple[str, Any]], *, now: datetime, give_up: bool
) -> Written:
    """Write ``batch`` in ``tx``; what the database refuses is quarantined.

    First the privacy ledger withholds what may not be kept (:func:`withhold`). Then the
    batch is tried whole, in a savepoint. If that fails, each item is tried in a savepoint
    of its own, in order; an edit of a message that was refused follows it into quarantine,
    and a refused message deleted later in the batch is not kept at all. When every item
    failed and not ``give_up``, the batch's error is raised: the caller's transaction rolls
    back and the batch is kept for a later attempt.
    """
    batch, withheld, unnamed = await withhold(tx, batch)
    try:
        async with tx.savepoint():
            await write_batch(tx, batch)
        return Written(0, withheld, unnamed)
    except Exception as exc:  # undone to the savepoint: find the item that did it
        whole = exc
    log.warning("recorder: a batch of %d failed (%r); writing it item by item", len(batch), whole)
    refused: list[tuple[tuple[str, Any], BaseException | str]] = []
    held: set[int | None] = set()  # messages refused in this batch
    for entry in batch:
        kind, item = entry
        message_id = _message_id(kind, item)
        if kind == _EDIT and message_id in held:
            refused.append((entry, "the message it edits is in quarantine"))
            continue
        if kind == _DELETE and message_id in held:  # taken back: its words are not kept
            refused = [(e, why) for e, why in refused if _message_id(*e) != message_id]
            held.discard(message_id)
        try:
            async with tx.savepoint():
                await write_batch(tx, [entry])
        except Exception as exc:
            refused.append((entry, exc))
            if kind == _MESSAGE:
                held.add(message_id)
    if refused and len(refused) == len(batch) and not give_up:
        raise whole
    for entry, why in refused:
        if entry[0] in _NOT_QUARANTINED:  # no words to keep: a reaction, a poll's state
            log.warning("recorder: dropped a %s the database refused (%r)", entry[0], why)
            continue
        await _quarantine(tx, entry, why, now)
    return Written(len(refused), withheld, unnamed)


async def withhold(
    tx: Transaction, batch: list[tuple[str, Any]]
) -> tuple[list[tuple[str, Any]], Counter[int], Counter[int]]:
    """``batch`` without what the privacy ledger refuses, read in ``tx`` before any write.

    Messages of members forgotten after writing them are dropped; those of members who
    opted out of recording become placeholders without words (as opting out leaves what was
    already kept); events they did before their forget lose their id. Returns the rest and,
    per member, the messages withheld and the events unnamed.
    """
    members = {item.author_id for kind, item in batch if kind == _MESSAGE}
    members |= {
        item.reply_author_id
        for kind, item in batch
        if kind == _MESSAGE and item.reply_author_id is not None
    }
    members |= {item[3] for kind, item in batch if kind == _EVENT and item[3] is not None}
    members |= {item["user_id"] for kind, item in batch if kind in (_REACT_ADD, _REACT_REMOVE)}
    ledger = await privacy.withholding(tx, "record", members)  # always: it takes the lock
    withheld: Counter[int] = Counter()
    unnamed: Counter[int] = Counter()
    if not ledger.opted_out and not ledger.forgotten:
        return batch, withheld, unnamed
    kept: list[tuple[str, Any]] = []
    for kind, item in batch:
        if (
            kind == _MESSAGE
            and item.reply_author_id is not None
            and ledger.refuses(
                item.reply_author_id,
                records.snowflake_time(item.reply_to) if item.reply_to else None,
            )
        ):
            # A reply quotes a member who opted out or was forgotten: their words stay out.
            item = dataclasses.replace(
                item, reply_author_id=None, reply_author_name=None, reply_content=None
            )
        if kind == _MESSAGE and ledger.refuses(item.author_id, item.created_at):
            withheld[item.author_id] += 1
            if ledger.forgot(item.author_id, item.created_at):
                continue
            item = item.placeholder()
        if kind == _REACT_ADD and ledger.refuses(item["user_id"], item["at"]):
            continue  # their reaction is theirs: not kept once they opted out or forgot
        if kind == _EVENT and item[3] is not None:
            actor = item[3]
            if ledger.forgot(actor, records.parse_stamp(item[4])):
                unnamed[actor] += 1
                item = (*item[:3], None, *item[4:])
        kept.append((kind, item))
    return kept, withheld, unnamed


def _reaction(message_id: int, emoji: str | None, user_id: int | None, at: datetime) -> Any:
    return {"message_id": message_id, "emoji": emoji, "user_id": user_id, "at": at}


def _params(item: dict[str, Any]) -> dict[str, Any]:
    """A reaction's SQL parameters (its time is for the privacy ledger only)."""
    return {"message_id": item["message_id"], "emoji": item["emoji"], "user_id": item["user_id"]}


def _message_id(kind: str, item: Any) -> int | None:
    if kind == _MESSAGE:
        return int(item.message_id)
    if kind in (_EDIT, *_NOT_QUARANTINED):
        return int(item["message_id"])
    if kind == _DELETE:
        return int(item[0])
    return None


async def _quarantine(
    tx: Transaction, entry: tuple[str, Any], why: BaseException | str, now: datetime
) -> None:
    """Keep a refused item in ``recorded_quarantine`` with an error id, and log it."""
    kind, item = entry
    channel_id = guild_id = member_id = None
    message_id = _message_id(kind, item)
    if kind == _MESSAGE:
        channel_id, guild_id, member_id = item.channel_id, item.guild_id, item.author_id
        happened_at = records.stamp(item.created_at)
        payload: dict[str, Any] = dataclasses.asdict(item) | {"created_at": happened_at}
    elif kind == _EVENT:
        channel_id, event, detail, member_id, happened_at, _ = item
        guild_id = await store.recording_guild(tx, channel_id)
        payload = {"channel_id": channel_id, "kind": event, "detail": detail}
        payload |= {"actor_id": member_id, "at": happened_at}
    else:
        assert message_id is not None
        owner = await store.message_owner(tx, message_id)
        if owner is not None:
            channel_id, guild_id, member_id = owner
        if kind == _EDIT:
            payload, happened_at = dict(item), item["edited_at"]
        else:
            payload, happened_at = {"message_id": item[0], "deleted_at": item[1]}, item[1]
    eid = error_id()
    held = store.Quarantined(
        error_id=eid,
        kind=kind,
        channel_id=channel_id,
        guild_id=guild_id,
        message_id=message_id,
        member_id=member_id,
        happened_at=happened_at,
        item=json.dumps(payload, ensure_ascii=True, default=str),  # storable, whatever it holds
        error=str(why)[:_ERROR_CHARS] or type(why).__name__,
    )
    await store.quarantine(tx, held, now=now)
    log.error(
        "recorder: a %s in channel %s could not be written; quarantined (error id %s)",
        kind,
        channel_id,
        eid,
        exc_info=why if isinstance(why, BaseException) else None,
    )


def _runs(batch: list[tuple[str, Any]]) -> list[tuple[str, list[Any]]]:
    """Consecutive items of the same kind grouped, order kept."""
    runs: list[tuple[str, list[Any]]] = []
    for kind, item in batch:
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(item)
        else:
            runs.append((kind, [item]))
    return runs


# --- the recorder of a database ------------------------------------------------------------
# /privacy runs each feature's part with only a transaction and a member id, yet what a
# member said a moment ago may still be queued in memory. The running cog attaches its
# recorder to its database's runtime; the privacy part finds it from its transaction.

RUNTIME_KEY = "threads.recorder"


def attached_to(tx: Transaction) -> Recorder | None:
    """The recorder writing into the database ``tx`` belongs to, if one is running."""
    found = tx.runtime.get(RUNTIME_KEY)
    return found if isinstance(found, Recorder) else None
