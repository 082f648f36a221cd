"""The herbot CLI on a database the bot wrote: poll results and exports."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from bot.cli import main
from bot.db import database
from cogs.polls import ballot_store, store
from tests.helpers import write

NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def with_db(settings, fill):
    """The CLI runs its own event loop, so tests fill the database in a separate one."""
    async with database(settings.database) as db:
        return await fill(db)


async def one_vote_poll(db) -> int:
    pid = await write(
        db,
        store.create_poll,
        guild_id=1,
        channel_id=2,
        question="Q",
        created_by=3,
        options=["Yes", "No"],
        now=NOW,
    )
    await write(db, store.vote, pid, 7, 1, NOW)
    return pid


def test_poll_export_formats(settings, capsys, tmp_path):
    pid = asyncio.run(with_db(settings, one_vote_poll))
    base = ["--db", str(settings.database), "poll"]
    assert main([*base, "export", str(pid), "--format", "csv"]) == 0
    assert "1,Q,No,1,100" in capsys.readouterr().out
    target = tmp_path / "p.json"
    assert main([*base, "export", str(pid), "--format", "json", "-o", str(target)]) == 0
    assert json.loads(target.read_text())["options"][1]["votes"] == 1
    assert main([*base, "results", str(pid)]) == 0
    assert "No" in capsys.readouterr().out
    assert main([*base, "results", "999"]) == 1


async def forgotten_voter_poll(db) -> int:
    pid = await write(
        db,
        store.create_poll,
        guild_id=1,
        channel_id=2,
        question="Q",
        created_by=3,
        options=["Yes", "No"],
        now=NOW,
        anonymous=False,
    )
    await write(db, store.vote, pid, 7007, 1, NOW)
    await write(db, store.vote, pid, 8008, 0, NOW)
    await write(db, store.close_poll, pid, NOW, 3)
    async with db.transaction() as tx:
        await store.forget(tx, 7007)
    return pid


def test_poll_export_names_a_forgotten_voter_former_member(settings, capsys):
    pid = asyncio.run(with_db(settings, forgotten_voter_poll))
    assert main(["--db", str(settings.database), "poll", "export", str(pid)]) == 0
    out = capsys.readouterr().out
    assert "1,Q,No,1,50" in out  # the count stays
    assert out.splitlines()[-2:] == ["8008,Yes", "former member,No"]
    assert "7007" not in out


async def ranked_poll(db) -> int:
    pid = await write(
        db,
        store.create_poll,
        guild_id=1,
        channel_id=2,
        question="Q",
        created_by=3,
        options=["A", "B", "C"],
        now=NOW,
    )
    await write(db, ballot_store.set_kind, pid, "ranked", None)
    for user, choices in ((1, (0,)), (2, (1, 0)), (3, (2, 1)), (4, (1,))):
        await write(db, ballot_store.cast, pid, user, choices, NOW)
    return pid


def test_ranked_poll_export_and_results(settings, capsys):
    """Ballots A | B>A | C>B | B: round 1 A 1, B 2, C 1 (4 ballots, no majority): A and C
    level with nothing earlier, C (listed last) out, to B; round 2 A 1, B 3: B wins."""
    pid = asyncio.run(with_db(settings, ranked_poll))
    base = ["--db", str(settings.database), "poll"]
    assert main([*base, "export", str(pid), "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "1,Q,2,B,3,0" in out
    assert out[-5:] == ["ballot,choice_1,choice_2", "1,A", "2,B", "3,B,A", "4,C,B"]
    assert main([*base, "results", str(pid)]) == 0
    shown = capsys.readouterr().out
    assert "round 1: A 1, B 2, C 1 (exhausted 0); C out" in shown
    assert "winner: B" in shown
