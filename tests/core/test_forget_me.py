"""Forget-me, end to end: a member who used every feature is gone from every table and file.

Everything is done as members do it (commands, clicks, forms, messages); the checks read the
database the way an auditor would: every integer column for the member's id, and the raw
bytes of the database file and its WAL for their words.
"""

from __future__ import annotations

import discord
import pytest

from bot import privacy
from tests import engines
from tests.helpers import debate_thread, panel, vote_message, with_embed_title

WORDS = "Quixotic zebras remember Samantha"  # nothing else in the store says this


async def _use_every_feature(world, member) -> None:
    # Debates: a motion poll (closed afterwards) and a debate's queue and pre-vote.
    await world.mod.slash(world.channel, "poll create", motion="altman-misreads-her")
    poll = with_embed_title(world.channel, "Poll #")[-1]
    voted = await member.click(poll, label="For")
    assert "is counted" in voted.response.content
    await world.mod.slash(world.channel, "debate start", motion="altman-misreads-her")
    thread = debate_thread(world)
    await member.click(vote_message(thread, "pre"), label="Against")
    shown = await member.click(panel(thread), label="Ask a question")
    await member.submit_modal(shown, {"question": f"{WORDS}: is she a product?"})

    # Thread recording: their messages in a recorded thread, one saved as a quote by another.
    parent = world.bot.get_channel(world.channel.id)
    created = await parent.create_thread(name="Recorded", type=discord.ChannelType.public_thread)
    await world.env.settle()
    recorded = next(t for t in world.channel.threads if t.id == created.id)
    await world.mod.slash(recorded, "record start")
    said = await member.send(recorded, f"{WORDS} in the rooftop scene")
    await member.send(recorded, "a second message of theirs")
    saved = await world.bob.context_menu(recorded, "Save as quote", said)
    assert saved.ephemeral
    await world.bot.get_cog("ThreadRecording").recorder.flush()

    # Quotes and /ask: a submission of their own and a question.
    shown = await member.slash(world.channel, "quote submit", source="her-film")
    await member.submit_modal(shown, {"text": f"{WORDS}, said nobody", "speaker": "Samantha"})
    await member.slash(world.channel, "ask", question=f"{WORDS} on the rooftop?")

    # The poll closes with their vote in it: that vote must stay counted, anonymously.
    poll_id = int(poll.embeds[0].title.split("#")[1].split()[0])
    closed = await world.mod.slash(world.channel, "poll close", poll=poll_id)
    assert closed.ephemeral


async def _id_columns(db) -> list[tuple[str, str]]:
    tables = await engines.table_columns(db)
    return [
        (table, column)
        for table, columns in tables.items()
        for column, kind in columns.items()
        if kind == "INTEGER"
    ]


async def _where_id_is(db, user_id: int) -> list[str]:
    hits = []
    for table, column in await _id_columns(db):
        n = await db.fetchval(f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?', (user_id,))
        if n:
            hits.append(f"{table}.{column}")
    return hits


def _raw_bytes(world) -> bytes:
    """The SQLite file and its WAL (PostgreSQL: the rows checked above are what there is)."""
    if world.db.dialect != "sqlite":
        return b""
    path = world.settings.database
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


async def test_forget_me_leaves_no_id_and_no_words_anywhere(world):
    carol = world.members[2]
    await _use_every_feature(world, carol)
    assert await _where_id_is(world.db, carol.id), "the scenario stored nothing of carol"
    assert WORDS.encode() in _raw_bytes(world) or world.db.dialect != "sqlite"
    votes_before = await world.db.fetchval("SELECT count(*) FROM poll_votes")

    shown = await carol.slash(world.channel, "privacy forget-me")
    done = await carol.click(shown.response, label="Yes, delete my data")
    assert done.response.content.startswith("Done. Removed ")
    assert "recorded message" in done.response.content
    assert done.response.content.endswith(privacy.remains(world.db))  # what may remain

    assert await _where_id_is(world.db, carol.id) == []
    assert WORDS.encode() not in _raw_bytes(world)
    assert WORDS.lower().split()[0].encode() not in _raw_bytes(world).lower()  # no FTS token
    # The closed poll still counts the vote, under an anonymous id.
    closed_votes = await world.db.fetchval(
        "SELECT count(*) FROM poll_votes JOIN polls ON polls.id = poll_id "
        "WHERE polls.closed_at IS NOT NULL"
    )
    assert closed_votes >= 1
    assert await world.db.fetchval("SELECT count(*) FROM poll_votes") <= votes_before


async def _vacuums(db) -> dict[str, int]:
    rows = await db.fetchall("SELECT relname, vacuum_count FROM pg_stat_user_tables")
    return {row[0]: int(row[1]) for row in rows}


@pytest.mark.postgres_only  # SQLite: secure_delete and the checkpoint (the test above)
async def test_forget_me_on_postgresql_vacuums_every_table_it_touched(world):
    carol = world.members[2]
    await _use_every_feature(world, carol)
    touched = privacy.touched_tables(world.bot.features)
    assert {"recorded_versions", "quotes", "poll_votes", "privacy_optouts"} <= set(touched)
    before = await _vacuums(world.db)

    shown = await carol.slash(world.channel, "privacy forget-me")
    done = await carol.click(shown.response, label="Yes, delete my data")
    assert done.response.content.startswith("Done. Removed ")

    after = await _vacuums(world.db)
    assert [t for t in touched if after.get(t, 0) <= before.get(t, 0)] == []
    text = done.response.content
    assert "vacuumed" in text and "write-ahead log" in text and "backups" in text
