"""The vector cache and in-memory index: encode each text once, see every change."""

from __future__ import annotations

import asyncio
import hashlib

import numpy as np
import pytest

from bot.db import Database
from cogs.quotes.ask import dense
from cogs.quotes.ask.dense import DenseIndex


class CountingEncoder:
    """Deterministic stand-in vectors (the real model is tested elsewhere); counts work."""

    model_id = "counting-test-encoder"
    dimension = 8

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            v = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dimension)


@pytest.fixture(autouse=True)
def _fresh_process_cache():
    """Each test starts like a new process: nothing in memory, only what the DB holds."""
    dense._PROCESS_VECTORS.pop(CountingEncoder.model_id, None)
    yield
    dense._PROCESS_VECTORS.pop(CountingEncoder.model_id, None)


async def _add(db: Database, quote_id: str, text: str, **extra: object) -> None:
    columns = {"id": quote_id, "text": text, "speaker": "alice", "source_id": "discord"}
    columns.update(extra)
    names = ", ".join(columns)
    async with db.transaction() as tx:
        await tx.execute(
            f"INSERT INTO quotes ({names}) VALUES ({', '.join('?' * len(columns))})",
            list(columns.values()),
        )


async def _count(db: Database, sql: str) -> int:
    async with db.execute(sql) as cur:
        return (await cur.fetchone())[0]


async def test_vectors_are_cached_by_content_and_survive_a_restart(db: Database):
    encoder = CountingEncoder()
    index = DenseIndex(encoder)
    await index.refresh(db)
    approved = await _count(db, "SELECT count(*) FROM quotes WHERE status = 'approved'")
    assert len(index) == approved == len(encoder.encoded) > 0
    assert await _count(db, "SELECT count(*) FROM ask_vectors") == approved

    dense._PROCESS_VECTORS.clear()  # a new process
    again = CountingEncoder()
    restarted = DenseIndex(again)
    await restarted.refresh(db)
    assert len(restarted) == approved and again.encoded == []


async def test_a_change_reencodes_only_the_changed_quote(db: Database):
    encoder = CountingEncoder()
    index = DenseIndex(encoder)
    await index.refresh(db)
    encoder.encoded.clear()

    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE quotes SET text = 'Sometimes I feel everything.' WHERE id = 'film-001'"
        )
    await index.ensure_fresh(db)
    assert encoder.encoded == ["Sometimes I feel everything. (" + await _locator_tags(db) + ")"]

    encoder.encoded.clear()
    await index.ensure_fresh(db)  # nothing changed since
    assert encoder.encoded == []


async def _locator_tags(db: Database) -> str:
    async with db.execute("SELECT locator, tags FROM quotes WHERE id = 'film-001'") as cur:
        locator, tags = await cur.fetchone()
    return "; ".join(p for p in (locator, tags.replace(",", ", ").replace("-", " ")) if p)


async def test_only_approved_quotes_of_the_asking_guild_are_searched(db: Database):
    await _add(db, "sub-a1", "Guild one's approved quote.", guild_id=1, kind="submission")
    await _add(db, "sub-b1", "Guild two's approved quote.", guild_id=2, kind="submission")
    await _add(db, "sub-p1", "A pending quote.", guild_id=1, kind="submission", status="pending")
    encoder = CountingEncoder()
    index = DenseIndex(encoder)
    await index.refresh(db)
    assert "A pending quote." not in encoder.encoded

    def ids(guild_id: int | None) -> set[int]:
        query = encoder.encode(["Guild one's approved quote."])[0]
        return {hit.rowid for hit in index.search(query, guild_id, 100)}

    async with db.execute("SELECT id, rowid FROM quotes") as cur:
        rowid = {row[0]: row[1] for row in await cur.fetchall()}
    assert rowid["sub-a1"] in ids(1) and rowid["sub-b1"] not in ids(1)
    assert rowid["sub-a1"] not in ids(None)  # the CLI without --guild: curated only
    best = index.search(encoder.encode(["Guild one's approved quote."])[0], 1, 1)[0]
    assert best.rowid == rowid["sub-a1"] and best.cosine == pytest.approx(1.0)


async def test_removed_quotes_leave_the_index(db: Database):
    index = DenseIndex(CountingEncoder())
    await index.refresh(db)
    before = len(index)
    async with db.transaction() as tx:
        await tx.execute("UPDATE quotes SET status = 'removed' WHERE id = 'film-001'")
    await index.ensure_fresh(db)
    assert len(index) == before - 1


def test_document_adds_locator_and_tags():
    assert (
        dense.document("Hi.", "Cast", "film-knowledge,cast") == "Hi. (Cast; film knowledge, cast)"
    )
    assert dense.document("Hi.") == "Hi."


async def test_vectors_known_in_process_are_written_to_a_new_database(
    db: Database, settings, tmp_path
):
    from dataclasses import replace

    from bot.prepare import prepare_database

    await DenseIndex(CountingEncoder()).refresh(db)  # the process now knows every vector
    other = await prepare_database(replace(settings, database=tmp_path / "other.db"))
    try:
        encoder = CountingEncoder()
        await DenseIndex(encoder).refresh(other)
        assert encoder.encoded == []
        dense._PROCESS_VECTORS.clear()  # a new process on the other database
        await DenseIndex(encoder).refresh(other)
        assert encoder.encoded == []
    finally:
        await other.close()


async def test_many_new_passages_are_encoded_by_a_background_thread(db: Database):
    for i in range(5):
        await _add(db, f"sub-bg{i}", f"Background passage number {i}.")
    encoder = CountingEncoder()
    index = DenseIndex(encoder)
    await index.refresh(db, inline_limit=2)  # more than 2 to encode: not on this call
    assert index.indexing or encoder.encoded  # the thread may already be done
    assert index._background is not None
    await asyncio.to_thread(index._background.join, 30)  # the loop stores each batch
    assert not index.indexing
    approved = await _count(db, "SELECT count(*) FROM quotes WHERE status = 'approved'")
    assert await _count(db, "SELECT count(*) FROM ask_vectors") == approved
    await index.ensure_fresh(db)  # the thread marked the matrix stale
    assert len(index) == approved


async def test_a_quote_removed_while_vectors_encode_in_the_background_is_not_returned(
    db: Database,
):
    import threading

    from cogs.quotes.ask.answer import ask
    from cogs.quotes.ask.hybrid import Retriever

    gate = threading.Event()

    class GatedEncoder(CountingEncoder):
        def encode(self, texts: list[str]) -> np.ndarray:
            if any(t.startswith("Background") for t in texts):
                gate.wait(30)  # keep the background thread busy until the test is done
            return super().encode(texts)

    encoder = GatedEncoder()
    retriever = Retriever(db, loader=lambda: encoder)
    await retriever.start()
    for i in range(5):
        await _add(db, f"sub-bg{i}", f"Background passage number {i}.")
    assert retriever.index is not None
    await retriever.index.refresh(db, inline_limit=2)  # a big import: encoding in background
    try:
        assert retriever.index.indexing
        async with db.execute("SELECT text FROM quotes WHERE id = 'film-001'") as cur:
            (words,) = await cur.fetchone()
        text = f"{words} ({await _locator_tags(db)})"  # exactly what was embedded
        found = await ask(retriever, text, None, mode="dense")
        assert "film-001" in {r.passage.id for r in found.results}
        async with db.transaction() as tx:
            await tx.execute("UPDATE quotes SET status = 'removed' WHERE id = 'film-001'")
        found = await ask(retriever, text, None, mode="dense")
        shown = {r.passage.id for r in [*found.results, *found.suggestions]}
        assert "film-001" not in shown  # removed is removed, even mid-indexing
    finally:
        gate.set()
        await asyncio.to_thread(retriever.index._background.join, 30)


async def test_a_big_encode_is_claimed_so_one_process_computes_it(db: Database):
    """Two processes on one database (docs/scaling.md) start with many passages to encode:
    the one holding the claim encodes; the other encodes nothing and loads what was stored."""
    import threading

    gate = threading.Event()

    class GatedEncoder(CountingEncoder):
        def encode(self, texts: list[str]) -> np.ndarray:
            gate.wait(30)  # keep the first process's encode running while the second starts
            return super().encode(texts)

    for i in range(5):
        await _add(db, f"sub-claim{i}", f"Claimed passage number {i}.")
    first = DenseIndex(GatedEncoder(), claim_owner="process-a")
    await first.refresh(db, inline_limit=2)
    assert first._background is not None  # it holds the claim and encodes
    try:
        second_encoder = CountingEncoder()
        second = DenseIndex(second_encoder, claim_owner="process-b")
        await second.refresh(db, inline_limit=2)
        assert second._background is None  # claimed by the first: no second encode
    finally:
        gate.set()
        await asyncio.to_thread(first._background.join, 30)
    approved = await _count(db, "SELECT count(*) FROM quotes WHERE status = 'approved'")
    assert await _count(db, "SELECT count(*) FROM ask_vectors") == approved
    second._by_hash.clear()  # one process: the "other" process must not share its memory
    await second.ensure_fresh(db)  # loads the first process's vectors from the database
    assert len(second) == approved
    assert second_encoder.encoded == []  # the second process computed nothing
    done = await _count(db, "SELECT count(*) FROM core_claims WHERE done_at IS NOT NULL")
    assert done == 1
