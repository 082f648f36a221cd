"""The herbot CLI on a database the bot wrote: debate results and history."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from bot.cli import main
from bot.db import database
from cogs.debate import machine, store
from cogs.polls import store as poll_store
from tests.helpers import write

NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def with_db(settings, fill):
    """The CLI runs its own event loop, so tests fill the database in a separate one."""
    async with database(settings.database) as db:
        return await fill(db)


async def finished_debate(db) -> int:
    did = await write(
        db, store.create_debate, guild_id=1, channel_id=2, motion="M", moderator_id=3, now=NOW
    )
    pre = await write(
        db,
        poll_store.create_poll,
        guild_id=1,
        channel_id=2,
        question="M",
        created_by=3,
        options=["For", "Against", "Undecided"],
        now=NOW,
        kind="debate_pre",
    )
    post = await write(
        db,
        poll_store.create_poll,
        guild_id=1,
        channel_id=2,
        question="M",
        created_by=3,
        options=["For", "Against", "Undecided"],
        now=NOW,
        kind="debate_post",
    )
    await write(db, store.attach, did, pre_poll_id=pre, post_poll_id=post)
    for user, (before, after) in enumerate([(2, 0), (2, 0), (1, 1), (0, 0)]):
        await write(db, poll_store.vote, pre, user, before, NOW)
        await write(db, poll_store.vote, post, user, after, NOW)
    debate = await store.get_debate(db, did)
    await write(db, store.save_state, debate, machine.State(phase="finished"), NOW)
    return did


def test_debate_results_json_and_text(settings, capsys):
    did = asyncio.run(with_db(settings, finished_debate))
    argv = ["--db", str(settings.database), "debate", "results", str(did)]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["winner"] == "for" and data["matched_voters"] == 4
    assert {"from": "undecided", "to": "for", "members": 2} in data["moves"]
    assert data["shares"]["undecided"] == {"pre": 50.0, "post": 0.0, "swing": -50.0}
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "For wins — 4 members voted both times" in out
    assert main(["--db", str(settings.database), "debate", "history"]) == 0
    assert "For won" in capsys.readouterr().out
