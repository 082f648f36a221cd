"""Every promise holds under concurrency, on one running bot.

For a bounded number of rounds, all at once on the same bot and database: members click vote
buttons (real INTERACTION_CREATE events through the gateway), others save a message that is
already saved as a quote (a refused write), a moderator's import is refused by the database
halfway, the recorder flushes a batch of messages, and a member runs forget-me. Afterwards:
every vote acknowledged as counted is stored as acknowledged, the refused import left
nothing, every flush that reported N messages kept them, and the forgotten member left no id
and no words. With one shared connection (the release before the data core) one
coroutine's rollback undid another's acknowledged work, and this test failed.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

from bench.votes import emit_clicks
from bot import privacy
from cogs.quotes import import_store, quote_store, service
from cogs.threads.records import MessageRecord
from tests import engines
from tests.quotes.test_privacy import _file_refused_halfway

ROUNDS = 4
VOTERS_PER_ROUND = 30
FLUSHED_PER_ROUND = 25
DUPLICATE_SAVES = 4
OPTIONS = ("For", "Against", "Undecided")
_ids = itertools.count(9_000_000_000_000_000)


def _answer(env: Any, record: Any) -> str:
    if not record.responded or record.message_id is None:
        return ""
    return env.backend.get_message(record.channel_id, record.message_id).content


async def _open_poll(world: Any) -> tuple[int, Any]:
    from tests.helpers import with_embed_title

    result = await world.mod.slash(world.channel, "poll create", motion="altman-misreads-her")
    assert "is open until" in result.response.content
    message = with_embed_title(world.channel, "Poll #")[-1]
    return int(message.embeds[0].title.split("#")[1].split()[0]), message


async def _recorded_thread(world: Any) -> Any:
    import discord

    parent = world.bot.get_channel(world.channel.id)
    created = await parent.create_thread(name="Stress", type=discord.ChannelType.public_thread)
    await world.env.settle()
    thread = next(t for t in world.channel.threads if t.id == created.id)
    await world.mod.slash(thread, "record start")
    return thread


def _message(thread: Any, author: Any, text: str) -> MessageRecord:
    return MessageRecord(
        message_id=next(_ids),
        channel_id=thread.id,
        guild_id=thread.guild.id,
        author_id=author.id,
        author_name=author.name,
        created_at=datetime.now(UTC),
        content=text,
    )


async def _duplicate_save(db: Any, submission: service.Submission) -> str:
    try:
        async with db.transaction() as tx:
            await service.submit_pending(tx, submission)
    except service.AlreadySaved:
        return "refused"
    return "saved"


async def _refused_import(db: Any, guild_id: int) -> str:
    try:
        async with db.transaction() as tx:
            await import_store.import_json(tx, _file_refused_halfway(guild_id), guild_id)
    except ValueError:
        return "refused"
    return "imported"


async def _where_id_is(db: Any, user_id: int) -> list[str]:
    hits = []
    for table, columns in (await engines.table_columns(db)).items():
        for name, kind in columns.items():
            if kind != "INTEGER":  # FTS5 tables' columns have no type
                continue
            sql = f'SELECT count(*) FROM "{table}" WHERE "{name}" = ?'
            if await db.fetchval(sql, (user_id,)):
                hits.append(f"{table}.{name}")
    return hits


def _file_bytes(world: Any) -> bytes:
    path = world.settings.database
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_acknowledged_work_survives_every_interleaving(world):
    db = world.db
    poll_id, poll_message = await _open_poll(world)
    thread = await _recorded_thread(world)
    recorder = world.bot.get_cog("ThreadRecording").recorder
    crowd = await world.add_members(ROUNDS * VOTERS_PER_ROUND + ROUNDS, prefix="voter")
    to_forget = crowd[-ROUNDS:]  # one member forgotten per round, who used every feature
    voters = crowd[:-ROUNDS]

    # Something already saved as a quote: saving it again is refused, every time.
    saved = service.Submission(
        text="Already saved words",
        speaker="alice",
        guild_id=world.guild.id,
        submitted_by=world.alice.id,
        origin="message",
        author_id=world.alice.id,
        message_link=f"https://discord.com/channels/{world.guild.id}/{thread.id}/1",
    )
    assert await _duplicate_save(db, saved) == "saved"

    counted: dict[int, int] = {}  # member id -> the option they were told is counted
    flushed_reported = 0
    flushed_authors: set[int] = set()
    for round_no in range(ROUNDS):
        victim = to_forget[round_no]
        words = f"Zanzibar{round_no} secret lemon"
        # The victim votes, is recorded and asks, then is forgotten while all else happens.
        vote = f"herbot:poll:vote:{poll_id}:0"
        victim_vote = emit_clicks(world.env, poll_message, [(victim, vote)])
        await world.env.settle()
        assert "is counted" in _answer(world.env, victim_vote[0])
        recorder.add_message(_message(thread, victim, words))
        await recorder.flush()

        batch = [
            _message(thread, voters[(round_no * 7 + i) % len(voters)], f"round {round_no} #{i}")
            for i in range(FLUSHED_PER_ROUND)
        ]
        for record in batch:
            recorder.add_message(record)
        group = voters[round_no * VOTERS_PER_ROUND : (round_no + 1) * VOTERS_PER_ROUND]
        clicks = [(m, f"herbot:poll:vote:{poll_id}:{i % 3}") for i, m in enumerate(group)]
        earlier = voters[: round_no * VOTERS_PER_ROUND][:10]  # some change their minds
        clicks += [(m, f"herbot:poll:vote:{poll_id}:2") for m in earlier]

        side_work = [
            asyncio.create_task(recorder.flush()),
            asyncio.create_task(_refused_import(db, world.guild.id)),
            asyncio.create_task(privacy.forget(db, world.bot.features, victim.id)),
            *(asyncio.create_task(_duplicate_save(db, saved)) for _ in range(DUPLICATE_SAVES)),
        ]
        records = emit_clicks(world.env, poll_message, clicks)
        await world.env.settle(timeout=60)
        written, imported, removed, *saves = await asyncio.gather(*side_work)
        written += await recorder.flush()  # what the burst's own eager flushes left

        for (member, custom_id), record in zip(clicks, records, strict=True):
            answer = _answer(world.env, record)
            assert answer, f"click of {member.name} was not answered"
            if "is counted" in answer or "changed your vote" in answer:
                counted[member.id] = int(custom_id.rsplit(":", 1)[1])
        assert imported == "refused"
        assert saves == ["refused"] * DUPLICATE_SAVES
        assert removed.get("recorded message[s]", 0) >= 1
        flushed_reported += written
        flushed_authors.update(r.author_id for r in batch)

        # Every acknowledged vote is stored, as acknowledged.
        stored = {
            row["user_id"]: row["position"]
            for row in await db.fetchall(
                "SELECT user_id, position FROM poll_votes WHERE poll_id = ?", (poll_id,)
            )
        }
        lost = {m: p for m, p in counted.items() if stored.get(m) != p}
        assert lost == {}, f"round {round_no}: acknowledged votes lost or changed: {lost}"
        # The refused import left nothing, not even its new source.
        assert await db.fetchval("SELECT count(*) FROM quotes WHERE id LIKE 'imp-%'") == 0
        assert not await quote_store.source_exists(db, "new-src")
        # Nothing of the forgotten member is left, in any table or in the file.
        assert await _where_id_is(db, victim.id) == []
        if db.path is not None:  # SQLite: not in the file either (PostgreSQL: VACUUM's)
            assert words.encode() not in _file_bytes(world)

    # Every queued message is kept exactly once (whichever transaction wrote it: a flush, or
    # a forget-me that wrote the queue first), and no flush reported more than is kept.
    marks = ",".join("?" * len(flushed_authors))
    kept = await db.fetchval(
        f"SELECT count(*) FROM recorded_messages WHERE channel_id = ? AND author_id IN ({marks})",
        (thread.id, *flushed_authors),
    )
    assert kept == ROUNDS * FLUSHED_PER_ROUND
    assert 0 < flushed_reported <= kept
    # Exactly one saved copy of the already-saved message.
    copies = "SELECT count(*) FROM quotes WHERE message_link = ?"
    assert await db.fetchval(copies, (saved.message_link,)) == 1


POLLS = 4
VOTERS_PER_POLL = 15
HOUR = 3600


async def test_due_results_post_once_through_refused_posts_and_a_kill_under_load(world):
    """Issue 26: polls closing together while members click and the recorder flushes; the
    first post of every result is refused, then the process dies before any retry. The next
    process posts each result exactly once, with every acknowledged vote in it."""
    from bot import claims
    from cogs.polls.cog import result_key
    from tests import cards
    from tests.polls.test_exactly_once import open_poll, result_cards

    recorder = world.bot.get_cog("ThreadRecording").recorder
    thread = await _recorded_thread(world)
    opened = [await open_poll(world, motion="altman-misreads-her") for _ in range(POLLS)]
    crowd = await world.add_members(POLLS * VOTERS_PER_POLL, prefix="due")
    clicks, targets = [], []
    for n, (poll_id, message) in enumerate(opened):
        group = crowd[n * VOTERS_PER_POLL : (n + 1) * VOTERS_PER_POLL]
        clicks.append([(m, f"herbot:poll:vote:{poll_id}:{i % 3}") for i, m in enumerate(group)])
        targets.append(message)
    for i in range(FLUSHED_PER_ROUND):
        recorder.add_message(_message(thread, crowd[i], f"due #{i}"))
    records = [emit_clicks(world.env, msg, c) for msg, c in zip(targets, clicks, strict=True)]
    flushing = asyncio.create_task(recorder.flush())
    await world.env.settle(timeout=60)
    await flushing
    counted: dict[int, dict[int, int]] = {}
    for (poll_id, _), batch, answers in zip(opened, clicks, records, strict=True):
        for (member, custom_id), record in zip(batch, answers, strict=True):
            if "is counted" in _answer(world.env, record):
                counted.setdefault(poll_id, {})[member.id] = int(custom_id.rsplit(":", 1)[1])
    assert sum(map(len, counted.values())) == POLLS * VOTERS_PER_POLL

    world.env.inject_error(
        "POST", f"/channels/{world.channel.id}/messages", status=500, times=POLLS
    )
    await world.env.advance_time(HOUR)  # every deadline at once: closed, each post refused
    for poll_id, _ in opened:
        assert result_cards(world.channel, poll_id) == []
    await world.bot.remove_cog("Polls")  # killed before the first retry: nothing of it posts
    await world.restart()
    await world.env.advance_time(claims.DEFAULT_LEASE.total_seconds() + 5)
    await world.env.advance_time(HOUR)
    await world.restart()  # and a quick restart after: nothing posts twice
    await world.env.advance_time(HOUR)

    for poll_id, _ in opened:
        (card,) = result_cards(world.channel, poll_id)
        stored = {
            row["user_id"]: row["position"]
            for row in await world.db.fetchall(
                "SELECT user_id, position FROM poll_votes WHERE poll_id = ?", (poll_id,)
            )
        }
        assert stored == counted[poll_id]
        votes_for = sum(1 for p in stored.values() if p == 0)
        assert f"**For** — {votes_for} (" in cards.text(card)
        assert await claims.is_done(world.db, result_key(poll_id))
    kept = await world.db.fetchval(
        "SELECT count(*) FROM recorded_messages WHERE channel_id = ?", (thread.id,)
    )
    assert kept == FLUSHED_PER_ROUND
