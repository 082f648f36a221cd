"""Forget-me reaches every process: words queued in another process are never written after.

Process A is the bot in simcord (the member clicks forget-me there); process B is a second
``Database`` on the same database with its own recorder queue, quote form and nomination in
memory. Whatever B holds of the member from before the forget, nothing of it is written
after A said "Done"; what the member writes afterwards is kept again.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import timedelta

import pytest

from bot import privacy
from bot.prepare import prepare_database
from cogs.quotes import nominations, nominations_store, service
from cogs.threads import records
from cogs.threads.recording.recorder import Recorder
from cogs.threads.records import MessageRecord
from tests.threads.conftest import make_thread

WORDS = "Quixotic lemur remembers the beach"
_ids = itertools.count(1)


def said(world, thread, member, text: str) -> MessageRecord:
    """A message of ``member`` as process B's listener queues it, sent now."""
    at = world.bot.now()
    return MessageRecord(
        message_id=records.snowflake_at(at) + next(_ids),
        channel_id=thread.id,
        guild_id=world.guild.id,
        author_id=member.id,
        author_name=member.name,
        created_at=at,
        content=text,
    )


async def recorded_thread(world):
    thread = await make_thread(world, "Two processes")
    started = await world.mod.slash(thread, "record start")
    assert "Recording started" in started.response.content
    return thread


async def kept_of(db, member_id: int) -> list[str]:
    """Everything the recording tables hold that names the member or says their words."""
    found = []
    for sql in (
        "SELECT 'message' FROM recorded_messages WHERE author_id = :u",
        "SELECT 'version' FROM recorded_versions WHERE content LIKE :w",
        "SELECT 'event' FROM thread_events WHERE actor_id = :u",
        "SELECT 'quarantine' FROM recorded_quarantine WHERE member_id = :u OR item LIKE :w",
        "SELECT 'quote' FROM quotes WHERE author_id = :u OR text LIKE :w",
        "SELECT 'nomination' FROM quote_nominations WHERE author_id = :u",
    ):
        found += [r[0] for r in await db.fetchall(sql, {"u": member_id, "w": f"%{WORDS}%"})]
    return found


@pytest.fixture
async def process_b(settings):
    other = await prepare_database(settings)  # the second process's connections
    yield other
    await other.close()


async def forget_me(member, channel) -> str:
    shown = await member.slash(channel, "privacy forget-me")
    done = await member.click(shown.response, label="Yes, delete my data")
    return done.response.content


async def test_a_forget_in_one_process_withholds_what_another_still_holds(world, process_b):
    thread = await recorded_thread(world)
    carol, alice = world.members[2], world.alice
    b = Recorder(process_b)  # process B's recorder: flushed by hand below
    for n in range(3):
        b.add_message(said(world, thread, carol, f"{WORDS}, part {n}"))
    b.add_message(said(world, thread, alice, "alice's words, queued in B too"))
    b.add_event(thread.id, "renamed", "a name carol gave it", carol.id, world.bot.now())
    # B also has a quote form of carol's message open, and a nomination of it to decide.
    message = said(world, thread, carol, WORDS)
    link = f"https://discord.com/channels/{world.guild.id}/{thread.id}/{message.message_id}"
    submission = service.Submission(
        text=WORDS,
        speaker=carol.name,
        guild_id=world.guild.id,
        submitted_by=alice.id,
        origin="message",
        author_id=carol.id,
        message_link=link,
        written_at=message.created_at,
    )
    nomination = nominations.Nomination(
        guild_id=world.guild.id,
        channel_id=thread.id,
        message_id=message.message_id,
        author_id=carol.id,
        nominated_by=alice.id,
        reactions=5,
        written_at=message.created_at,
    )

    assert (await forget_me(carol, world.channel)).startswith("Done.")  # in process A
    assert await b.flush() == 5  # B's next flush, a moment later
    assert await kept_of(world.db, carol.id) == []
    with pytest.raises(privacy.Withheld):
        async with process_b.transaction() as tx:
            await service.submit_pending(tx, submission)
    with pytest.raises(privacy.Withheld):
        async with process_b.transaction() as tx:
            await nominations_store.claim(tx, nomination, "queued")

    assert await kept_of(world.db, carol.id) == []
    kept = "SELECT content FROM recorded_versions v JOIN recorded_messages USING (message_id)"
    assert [r[0] for r in await world.db.fetchall(kept)] == ["alice's words, queued in B too"]
    renamed = "SELECT actor_id FROM thread_events WHERE kind = 'renamed'"
    assert [r[0] for r in await world.db.fetchall(renamed)] == [None]  # kept, unnamed

    # A forget is about the past: what carol writes afterwards is recorded and quotable.
    await world.env.advance_time(1)
    b.add_message(said(world, thread, carol, "carol, after the forget"))
    await b.flush()
    later = "SELECT COUNT(*) FROM recorded_messages WHERE author_id = ?"
    assert await world.db.fetchval(later, (carol.id,)) == 1
    shown = await carol.slash(world.channel, "privacy status")
    assert "🧹 forgotten <t:" in shown.response.content


async def test_an_opt_out_in_one_process_reaches_another_and_opt_in_lifts_it(world, process_b):
    thread = await recorded_thread(world)
    carol = world.members[2]
    b = Recorder(process_b)
    b.add_message(said(world, thread, carol, f"{WORDS}, queued in B"))
    done = await carol.slash(world.channel, "privacy opt-out", scope="both")
    assert done.ephemeral and "Stopped" in done.response.content
    await b.flush()  # kept as opting out keeps what was already recorded: no words
    rows = await world.db.fetchall(
        "SELECT author_name, redacted FROM recorded_messages WHERE author_id = ?", (carol.id,)
    )
    assert [tuple(r) for r in rows] == [(records.REDACTED_NAME, 1)]
    assert await world.db.fetchval("SELECT COUNT(*) FROM recorded_versions") == 0

    await carol.slash(world.channel, "privacy opt-in", scope="both")
    b.add_message(said(world, thread, carol, "carol opted in again"))
    await b.flush()
    assert [r[0] for r in await world.db.fetchall("SELECT content FROM recorded_versions")] == [
        "carol opted in again"
    ]


class HeldCommit:
    """A database whose next transaction waits for ``release`` before it commits."""

    def __init__(self, db) -> None:
        self.db, self.written, self.release = db, asyncio.Event(), asyncio.Event()

    def __getattr__(self, name):
        return getattr(self.db, name)

    @contextlib.asynccontextmanager
    async def transaction(self):
        async with self.db.transaction() as tx:
            yield tx
            self.written.set()
            await self.release.wait()


async def _blocked_or_done(db, task) -> None:
    """Until ``task`` is done or one of its statements waits for a lock (PostgreSQL)."""
    while not task.done():
        if await db.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"):
            return
        await asyncio.sleep(0)


@pytest.mark.postgres_only  # SQLite's writers take turns for the whole transaction
@pytest.mark.parametrize("first", ["flush", "forget"])
async def test_a_flush_and_a_forget_at_the_same_moment_never_keep_the_words(
    world, process_b, first
):
    thread = await recorded_thread(world)
    carol = world.members[2]
    features = world.bot.features
    at = world.bot.now() + timedelta(seconds=1)  # the forget covers what B holds
    if first == "flush":  # B's flush has written, not committed, when the forget starts
        held = HeldCommit(process_b)
        b = Recorder(held)
        b.add_message(said(world, thread, carol, WORDS))
        flushing = asyncio.create_task(b.flush())
        await held.written.wait()
        forgetting = asyncio.create_task(privacy.forget(world.db, features, carol.id, at=at))
        await _blocked_or_done(world.db, forgetting)
    else:  # the forget has run, not committed, when B's flush starts
        held = HeldCommit(world.db)
        b = Recorder(process_b)
        b.add_message(said(world, thread, carol, WORDS))
        forgetting = asyncio.create_task(privacy.forget(held, features, carol.id, at=at))
        await held.written.wait()
        flushing = asyncio.create_task(b.flush())
        await _blocked_or_done(world.db, flushing)
    held.release.set()
    await asyncio.gather(flushing, forgetting)
    assert await kept_of(world.db, carol.id) == []
