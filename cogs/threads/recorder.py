"""The batched writer of recorded messages: a busy thread never waits on the disk.

Listeners append to an in-memory queue (no I/O, no await). A background task flushes it
every ``flush_interval`` seconds, or as soon as ``max_batch`` items are waiting, in ONE
transaction with ``executemany`` per run of same-kind operations, in arrival order (a
message, its edit and its deletion can share a batch). ``close()`` flushes what is left,
so a clean shutdown loses nothing; a crash loses at most the last ``flush_interval``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiosqlite

from cogs.threads import store
from cogs.threads.store import MessageRecord

log = logging.getLogger(__name__)

# Operation kinds, in the order they are applied within a run.
_MESSAGE = "message"
_EDIT = "edit"
_DELETE = "delete"
_EVENT = "event"


class Recorder:
    def __init__(
        self,
        db: aiosqlite.Connection,
        *,
        flush_interval: float = 1.0,
        max_batch: int = 2000,
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
        self.flushed_total = 0
        # Flush as soon as max_batch items wait (set by start(), or by an owner's own timer).
        self.eager = False
        # Called when the queue stops being empty: an owner's timer can sleep while idle.
        self.on_pending: Callable[[], None] | None = None

    # --- enqueue (synchronous: called from hot event handlers) ---------------------------

    @property
    def pending(self) -> int:
        return len(self._queue)

    def add_message(self, record: MessageRecord) -> None:
        self._push(_MESSAGE, record)

    def add_edit(self, message_id: int, content: str, edited_at: datetime) -> None:
        self._push(
            _EDIT,
            {"message_id": message_id, "content": content, "edited_at": store.stamp(edited_at)},
        )

    def add_delete(self, message_id: int, deleted_at: datetime) -> None:
        self._push(_DELETE, (message_id, store.stamp(deleted_at)))

    def add_event(
        self, channel_id: int, kind: str, detail: str, actor_id: int | None, at: datetime
    ) -> None:
        if kind not in store.EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        self._push(_EVENT, (channel_id, kind, detail, actor_id, store.stamp(at), channel_id))

    def _push(self, kind: str, item: Any) -> None:
        self._queue.append((kind, item))
        if len(self._queue) == 1 and self.on_pending is not None:
            self.on_pending()
        if len(self._queue) >= self.max_batch and self.eager:
            task = asyncio.ensure_future(self.flush())
            self._eager.add(task)
            task.add_done_callback(self._eager.discard)

    # --- writing -------------------------------------------------------------------------

    async def flush(self) -> int:
        """Write everything queued so far in one transaction; returns how many items."""
        async with self._lock:
            batch, self._queue = self._queue, []
            if not batch:
                return 0
            try:
                await self._write(batch)
            except BaseException:
                # Keep the batch for the next attempt, ahead of anything queued since.
                self._queue = batch + self._queue
                with contextlib.suppress(Exception):
                    await self.db.rollback()
                raise
            self.flushed_total += len(batch)
            return len(batch)

    async def _write(self, batch: list[tuple[str, Any]]) -> None:
        db = self.db
        for kind, items in _runs(batch):
            if kind == _MESSAGE:
                await db.executemany(store.INSERT_MESSAGE, [r.message_row() for r in items])
                await db.executemany(
                    store.INSERT_FIRST_VERSION, [(r.content, r.message_id) for r in items]
                )
            elif kind == _EDIT:
                await db.executemany(store.INSERT_EDIT, items)
            elif kind == _DELETE:
                await db.executemany(store.TOMBSTONE, [(at, mid) for mid, at in items])
                await db.executemany(store.DELETE_VERSIONS, [(mid,) for mid, _ in items])
            else:
                await db.executemany(store.INSERT_EVENT, items)
        await db.commit()

    # --- lifecycle -----------------------------------------------------------------------

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


def _runs(batch: list[tuple[str, Any]]) -> list[tuple[str, list[Any]]]:
    """Consecutive items of the same kind grouped, order kept."""
    runs: list[tuple[str, list[Any]]] = []
    for kind, item in batch:
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(item)
        else:
            runs.append((kind, [item]))
    return runs
