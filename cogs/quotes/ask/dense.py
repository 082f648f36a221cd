"""The dense leg: MiniLM vectors of every approved quote, in memory, searched by dot product.

Vectors are cached in ``ask_vectors`` keyed by (sha256 of the text, model id), so a restart
or an unchanged quote never re-encodes. The matrix (n x 384 float32, 150 MB at 100k) lives
in memory; ``ask_generation`` (bumped by triggers on ``quotes``) tells in one primary-key
read whether it is stale. A brute-force matrix product over 100k rows takes a few ms.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np

from bot import claims
from bot.db import Database, Reader, Record, Transaction

log = logging.getLogger(__name__)

ENCODE_BATCH = 32  # small enough for progress every second or so, big enough to batch well
# A curated phrasing ("What is Theodore's job?") is a question: question-to-question cosines
# run higher than question-to-passage ones, so a phrasing's score is scaled before it can
# stand for its passage (tuned on the tune half of tests/data/questions.toml).
ASK_WEIGHT = 0.9
PROGRESS_AFTER = 2.0  # seconds: an encode expected to take longer reports its progress
# A refresh that must encode more than this many new passages runs in the background; the
# query it would have delayed uses the previous matrix meanwhile.
INLINE_ENCODE_LIMIT = 64
_NO_GUILD = -1
_ENCODER_LOCK = threading.Lock()  # one bulk encoder per process: two would share 2 cores
_STORE_WAIT = 120.0  # seconds a background batch waits for the loop to store it (shutdown)
ENCODE_CLAIM_PREFIX = "ask-encode:"  # + the quote store's generation
# A process that dies mid-encode leaves its claim: after this another process takes over
# (what was stored by then is loaded, not encoded again).
ENCODE_LEASE = timedelta(minutes=10)

RunInThread = Callable[..., Awaitable[Any]]

# Vectors by model id, then content hash, shared by every index in the process: a restarted
# bot (or a test's next bot) reuses them instead of reading 150 MB again at 100k passages.
_PROCESS_VECTORS: dict[str, dict[str, np.ndarray]] = {}


class Encoder(Protocol):
    model_id: str
    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class Progress:
    """Progress of a long encode: a log line with counts and an ETA every few seconds, and a
    bar on stderr when it is a terminal. Silent for encodes expected to end within 2 s."""

    def __init__(self, total: int, what: str, *, stream: Any = None) -> None:
        self.total, self.what = total, what
        self.stream = sys.stderr if stream is None else stream
        self.start = self.last_log = time.monotonic()
        self.shown = False

    def update(self, done: int) -> None:
        now = time.monotonic()
        elapsed = now - self.start
        if not done or not self.total:
            return
        eta = elapsed / done * (self.total - done)
        if not self.shown and elapsed + eta < PROGRESS_AFTER:
            return
        if not self.shown or now - self.last_log >= 5 or done == self.total:
            log.info("%s: %d/%d encoded, about %.0f s left", self.what, done, self.total, eta)
            self.last_log = now
        self.shown = True
        if _isatty(self.stream):
            width = 30
            filled = width * done // self.total
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r{self.what} [{bar}] {done}/{self.total} ETA {eta:4.0f} s")
            self.stream.flush()

    def close(self) -> None:
        if self.shown and _isatty(self.stream):
            self.stream.write("\n")
            self.stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def document(text: str, locator: str = "", tags: str = "") -> str:
    """What we embed for a quote: its words, then where it is and the curators' tags.

    "Cast", "Music", "awards" say what a passage is about in words a question uses, which
    the quote itself often does not (see docs/ask.md for the measured effect).
    """
    about = "; ".join(p for p in (locator.strip(), tags.replace(",", ", ").replace("-", " ")) if p)
    return f"{text} ({about})" if about else text


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def generation(db: Reader) -> int:
    async with db.execute("SELECT value FROM ask_generation WHERE id = 1") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def run_in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


@dataclass(slots=True)
class _Snapshot:
    """The matrix and what each row is, replaced as a whole when quotes change."""

    matrix: np.ndarray  # n x dimension, unit rows
    rowids: np.ndarray  # quotes.rowid per row
    guilds: np.ndarray  # guild_id per row, -1 for the curated store
    hidden: dict[int | None, np.ndarray] = field(default_factory=dict)
    # Curated phrasings: one row each, and the passage row each stands for.
    ask_matrix: np.ndarray | None = None
    ask_owner: np.ndarray | None = None

    def hidden_from(self, guild_id: int | None) -> np.ndarray:
        """Rows ``guild_id`` may not see (other guilds' quotes), computed once per guild."""
        found = self.hidden.get(guild_id)
        if found is None:
            visible = self.guilds == _NO_GUILD
            if guild_id is not None:
                visible |= self.guilds == guild_id
            found = self.hidden[guild_id] = np.flatnonzero(~visible)
        return found


@dataclass(frozen=True, slots=True)
class DenseHit:
    rowid: int
    cosine: float


class DenseIndex:
    """Approved quotes' vectors; ``search`` is synchronous numpy, call it from a thread."""

    def __init__(
        self, encoder: Encoder, *, run: RunInThread = run_in_thread, claim_owner: str | None = None
    ) -> None:
        self.encoder = encoder
        self._run = run
        # Several processes on one database (docs/scaling.md): a big encode is claimed
        # (bot/claims.py) so one process computes the vectors; the others load them as
        # they are stored. None: no claim (one process, the CLI).
        self.claim_owner = claim_owner
        self._snapshot = _Snapshot(
            np.zeros((0, encoder.dimension), dtype=np.float32),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
        )
        self._by_hash = _PROCESS_VECTORS.setdefault(encoder.model_id, {})
        self.generation = -1
        self._lock = asyncio.Lock()
        self._background: threading.Thread | None = None
        self._asks: dict[str, np.ndarray] = {}  # document hash -> its phrasings' vectors

    def use_prebuilt(self, vectors: dict[str, np.ndarray], asks: dict[str, np.ndarray]) -> None:
        """Take shipped vectors (:mod:`cogs.quotes.ask.prebuilt`) for this model.

        Passage vectors join the cache (and reach ``ask_vectors`` at the next refresh, as
        any vector another index computed); phrasings stay in memory, keyed by the
        document hash of the passage they belong to.
        """
        for key, vector in vectors.items():
            self._by_hash.setdefault(key, vector)
        self._asks = dict(asks)

    def __len__(self) -> int:
        return len(self._snapshot.rowids)

    def remember(self, documents: list[str], vectors: np.ndarray) -> None:
        """Seed the in-process cache with :func:`document` vectors (tests warm it once)."""
        self._by_hash.update(zip(_hash_all(documents), vectors, strict=True))

    def invalidate(self) -> None:
        """Mark the matrix stale (the quote store's change event calls this)."""
        self.generation = -1

    async def ensure_fresh(self, db: Database) -> bool:
        """Bring the matrix up to date if quotes changed; big encodes go to the background.

        True when the matrix now matches the database (every row approved and current);
        False while a background encode runs and the matrix lags behind.
        """
        current = await generation(db)
        if self.generation == current:
            return True
        if self._refreshing():
            return False
        await self.refresh(db, inline_limit=INLINE_ENCODE_LIMIT)
        return self.generation == current

    def _refreshing(self) -> bool:
        return self._background is not None and self._background.is_alive()

    @property
    def indexing(self) -> bool:
        """True while a background thread computes vectors for many new passages."""
        return self._refreshing()

    async def _claim(self, db: Database, key: str) -> bool:
        """True when this process may encode (no owner, or the claim is ours)."""
        if self.claim_owner is None:
            return True
        async with db.transaction() as tx:
            taken = await claims.claim(
                tx, key, owner=self.claim_owner, now=datetime.now(UTC), lease=ENCODE_LEASE
            )
        if taken is None:
            log.info("another process encodes the new passages (%s): loading its vectors", key)
        return taken is not None

    async def _end_claim(self, db: Database, key: str, *, done: bool) -> None:
        if self.claim_owner is None:
            return
        async with db.transaction() as tx:
            if done:
                await claims.finish(tx, key, self.claim_owner, datetime.now(UTC))
            else:
                await claims.release(tx, key, self.claim_owner)

    def _encode_in_background(
        self,
        db: Database,
        loop: asyncio.AbstractEventLoop,
        todo: list[tuple[str, str]],
        key: str = "",
    ) -> None:
        """Encode many passages on a plain thread; each batch is stored by the event loop.

        A first start (or a large import) can need minutes of encoding; it must neither block
        the event loop nor hold up the bot's other work, so it does not run in the loop's
        executor. One thread per process encodes at a time; vectors another index already
        computed are skipped. The vectors are written through the database's own
        transactions (the loop's), never through a connection of this thread.
        """
        try:
            with _ENCODER_LOCK:
                todo = [(h, t) for h, t in todo if h not in self._by_hash]
                progress = Progress(len(todo), "/ask vectors")
                for start in range(0, len(todo), ENCODE_BATCH):
                    batch = todo[start : start + ENCODE_BATCH]
                    vectors = self.encoder.encode([t for _, t in batch])
                    hashes = [h for h, _ in batch]
                    asyncio.run_coroutine_threadsafe(
                        self._save(db, hashes, list(vectors)), loop
                    ).result(_STORE_WAIT)
                    self._by_hash.update(zip(hashes, vectors, strict=True))
                    progress.update(start + len(batch))
                progress.close()
            log.info("/ask vectors ready for %d new passages", len(todo))
            done = True
        except Exception:  # a closed or deleted database: the next refresh tries again
            log.warning("/ask background encoding stopped", exc_info=True)
            done = False
        finally:
            self.generation = -1  # rebuild the matrix at the next question
        try:
            asyncio.run_coroutine_threadsafe(self._end_claim(db, key, done=done), loop).result(
                _STORE_WAIT
            )
        except Exception:  # the loop or database closed: the lease runs out on its own
            log.debug("could not end the /ask encode claim %s", key, exc_info=True)

    async def refresh(self, db: Database, *, inline_limit: int | None = None) -> None:
        """Rebuild from the approved quotes, encoding only texts never seen by this model."""
        async with self._lock:
            gen = await generation(db)
            if gen == self.generation:
                return
            async with db.execute(
                "SELECT rowid, guild_id, text, locator, tags FROM quotes WHERE status = 'approved'"
            ) as cur:
                rows = await cur.fetchall()
            docs = [document(r["text"], r["locator"], r["tags"]) for r in rows]
            hashes = await self._run(_hash_all, docs)
            missing = {h for h in hashes if h not in self._by_hash}
            if self.generation == -1 and len(missing) < len(hashes):
                # This database may not hold what another index of the process encoded.
                known = [h for h in dict.fromkeys(hashes) if h not in missing]
                await self._save(db, known, [self._by_hash[h] for h in known], replace=False)
            if missing:
                await self._load_cached(db, missing)
            texts = dict(zip(hashes, docs, strict=True))
            to_encode = [h for h in dict.fromkeys(hashes) if h not in self._by_hash]
            if inline_limit is not None and len(to_encode) > inline_limit:
                key = f"{ENCODE_CLAIM_PREFIX}{gen}"
                if not self._refreshing() and await self._claim(db, key):
                    log.info(
                        "%d passages need vectors: encoding them in a background thread",
                        len(to_encode),
                    )
                    self._background = threading.Thread(
                        target=self._encode_in_background,
                        args=(
                            db,
                            asyncio.get_running_loop(),
                            [(h, texts[h]) for h in to_encode],
                            key,
                        ),
                        name="herbot-ask-encoder",
                        daemon=True,
                    )
                    self._background.start()
                # Meanwhile search what has a vector; the thread marks the matrix stale.
                known = [(r, h) for r, h in zip(rows, hashes, strict=True) if h in self._by_hash]
                self._build([r for r, _ in known], [h for _, h in known])
                return
            progress = Progress(len(to_encode), "/ask vectors")
            for start in range(0, len(to_encode), ENCODE_BATCH):
                batch = to_encode[start : start + ENCODE_BATCH]
                vectors = await self._run(self.encoder.encode, [texts[h] for h in batch])
                await self._save(db, batch, list(vectors))
                self._by_hash.update(zip(batch, vectors, strict=True))
                progress.update(start + len(batch))
            progress.close()
            self._build(rows, hashes)
            self.generation = gen
            log.debug("dense index: %d passages (generation %d)", len(rows), gen)

    async def _save(
        self, db: Database, hashes: list[str], vectors: list[np.ndarray], *, replace: bool = True
    ) -> None:
        async with db.transaction() as tx:
            await self._store(tx, hashes, vectors, replace=replace)

    async def _store(
        self,
        tx: Transaction,
        hashes: list[str],
        vectors: list[np.ndarray],
        *,
        replace: bool = True,
    ) -> None:
        conflict = "DO UPDATE SET vector = excluded.vector" if replace else "DO NOTHING"
        await tx.executemany(
            "INSERT INTO ask_vectors (content_hash, model, vector) VALUES (?, ?, ?) "
            f"ON CONFLICT (content_hash, model) {conflict}",
            [
                (h, self.encoder.model_id, v.astype("<f4").tobytes())
                for h, v in zip(hashes, vectors, strict=True)
            ],
        )

    async def _load_cached(self, db: Reader, wanted: set[str]) -> None:
        batches: list[list[str]]
        if len(wanted) > 2000:  # most of the store (a cold start): one scan beats many lookups
            sql, batches = "SELECT content_hash, vector FROM ask_vectors WHERE model = ?", [[]]
        else:
            ordered = sorted(wanted)
            batches = [ordered[i : i + 500] for i in range(0, len(ordered), 500)]
            sql = (
                "SELECT content_hash, vector FROM ask_vectors WHERE model = ? AND content_hash IN "
            )
        for batch in batches:
            query = sql + ("(" + ",".join("?" * len(batch)) + ")" if batch else "")
            async with db.execute(query, [self.encoder.model_id, *batch]) as cur:
                async for row in cur:
                    if row[0] in wanted:
                        vector = np.frombuffer(row[1], dtype="<f4")
                        if vector.shape == (self.encoder.dimension,):
                            self._by_hash[row[0]] = vector

    def _build(self, rows: list[Record], hashes: list[str]) -> None:
        if not self._refreshing():  # forget vectors of texts no longer in the store
            keep = set(hashes)
            for stale in [h for h in list(self._by_hash) if h not in keep]:
                self._by_hash.pop(stale, None)
        matrix = (
            np.stack([self._by_hash[h] for h in hashes]).astype(np.float32)
            if rows
            else np.zeros((0, self.encoder.dimension), dtype=np.float32)
        )
        rowids = np.array([r["rowid"] for r in rows], dtype=np.int64)
        guilds = np.array(
            [_NO_GUILD if r["guild_id"] is None else r["guild_id"] for r in rows], dtype=np.int64
        )
        owners = [(i, self._asks[h]) for i, h in enumerate(hashes) if h in self._asks]
        ask_matrix = ask_owner = None
        if owners:
            ask_matrix = np.concatenate([m for _, m in owners]).astype(np.float32)
            ask_owner = np.concatenate([np.full(len(m), i, dtype=np.int64) for i, m in owners])
        self._snapshot = _Snapshot(
            matrix, rowids, guilds, ask_matrix=ask_matrix, ask_owner=ask_owner
        )  # one assignment: searches see all

    def search(self, query: np.ndarray, guild_id: int | None, limit: int) -> list[DenseHit]:
        """The ``limit`` nearest visible passages by cosine (vectors are unit length)."""
        snap = self._snapshot
        if not len(snap.rowids):
            return []
        scores = snap.matrix @ query
        if snap.ask_matrix is not None and snap.ask_owner is not None:
            # A passage scores as its best curated phrasing when that beats its own text.
            np.maximum.at(scores, snap.ask_owner, (snap.ask_matrix @ query) * ASK_WEIGHT)
        scores[snap.hidden_from(guild_id)] = -np.inf
        rowids = snap.rowids
        k = min(limit, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [DenseHit(int(rowids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]


def _hash_all(texts: list[str]) -> list[str]:
    return [content_hash(t) for t in texts]


async def forget_vectors(tx: Transaction, content_hashes: Iterable[str]) -> int:
    """Drop /ask's cached vectors of these texts (they are derived from a member's words)."""
    hashes = list(dict.fromkeys(content_hashes))
    removed = 0
    for start in range(0, len(hashes), 500):
        batch = hashes[start : start + 500]
        marks = ",".join("?" * len(batch))
        cur_ = await tx.execute(f"DELETE FROM ask_vectors WHERE content_hash IN ({marks})", batch)
        removed += cur_.rowcount
    return removed
