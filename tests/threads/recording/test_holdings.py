"""The walkers that turn what a message holds into JSON values, on plain objects (no discord)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace as O

from cogs.threads.recording import holdings


def test_components_v2_walk_into_text_in_reading_order():
    card = [
        O(
            type=17,  # container
            children=[
                O(type=10, content="### Quote #7"),
                O(type=14, visible=True),
                O(
                    type=9,  # section: text, then its accessory
                    children=[O(type=10, content="“The past is a story.”\x00")],
                    accessory=O(type=2, label="Open", url="https://example.org/q/7"),
                ),
                O(type=12, items=[O(media=O(url="https://cdn.example/a.png"))]),
                O(
                    type=1,
                    children=[O(type=2, label="Vote", url=None), O(type=3, placeholder="Pick")],
                ),
            ],
        )
    ]
    assert holdings.components_text(card) == (
        "### Quote #7\n———\n“The past is a story.”\n[Open](https://example.org/q/7)\n"
        "🖼 https://cdn.example/a.png\n[Vote]\n[Pick ▾]"
    )
    assert holdings.components_text([]) is None


def test_a_poll_result_and_a_poll_in_full():
    fields = [
        O(name="poll_question_text", value="Is Samantha a person?"),
        O(name="victor_answer_text", value="Yes"),
        O(name="victor_answer_votes", value="2"),
        O(name="total_votes", value="3"),
    ]
    assert holdings.poll_result([O(fields=fields)], 5)["result"] == {
        "poll_message_id": "5",
        "question": "Is Samantha a person?",
        "winner": "Yes",
        "winner_emoji": None,
        "winner_votes": 2,
        "total_votes": 3,
    }
    poll = O(
        question="Q?",
        answers=[O(id=1, text="A", emoji=None, vote_count=2)],
        multiple=True,
        expires_at=datetime(2026, 1, 1, tzinfo=UTC),
        is_finalised=lambda: True,
        total_votes=2,
        victor_answer_id=1,
    )
    kept = holdings.poll(poll)
    assert kept is not None and kept["finalized"] and kept["winner_id"] == 1
    assert kept["answers"] == [{"id": 1, "text": "A", "emoji": None, "votes": 2}]
    assert holdings.poll(None) is None


def test_an_embed_in_full_and_a_forward_with_its_origin():
    embed = O(
        type="rich", title="Her", description="A film", url="https://e.org",
        colour=O(value=0x5865F2), timestamp=None,
        fields=[O(name="Runtime", value="126 min", inline=True)],
        author=O(name="Spike", url=None, icon_url=None), footer=O(text="e.org", icon_url=None),
        image=O(url="https://e.org/i.png"), thumbnail=O(url=None),
    )  # fmt: skip
    assert holdings.embed(embed) == {
        "title": "Her",
        "description": "A film",
        "url": "https://e.org",
        "color": "#5865f2",
        "fields": [{"name": "Runtime", "value": "126 min", "inline": True}],
        "author": {"name": "Spike"},
        "footer": {"text": "e.org"},
        "image": "https://e.org/i.png",
    }
    assert holdings.embeds([O(type="poll_result", fields=[])]) == ()
    snapshot = O(content="forwarded words", created_at=None, attachments=[], embeds=[],
                 stickers=[], components=[])  # fmt: skip
    ref = O(guild_id=1, channel_id=2, message_id=3)
    kept = holdings.forwarded([snapshot], ref)
    assert kept is not None and kept["content"] == "forwarded words"
    assert kept["origin"] == {"guild_id": "1", "channel_id": "2", "message_id": "3"}
    assert holdings.forwarded([], ref) is None


async def test_retention_takes_saved_files_and_reactions_with_old_messages(db):
    from datetime import timedelta

    from cogs.threads.recording import store
    from cogs.threads.recording.recorder import Recorder
    from tests.threads.conftest import T0, msg, rows_of, start, write

    await start(db)
    recorder = Recorder(db)
    old, new = msg(1, "old"), msg(2, "new")
    recorder.add_message(old)
    recorder.add_message(new)
    await recorder.flush()
    recorder.add_reaction(old.message_id, "👍", 5, T0)
    await recorder.flush()
    for m, data in ((old, b"old bytes"), (new, b"new bytes")):
        await write(
            db, store.save_file, guild_id=9, message_id=m.message_id, position=0, data=data,
            content_type="image/png", guild_budget=1 << 20, now=T0,
        )  # fmt: skip
    # Retention by age: only "old" is past it.
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE recorded_messages SET created_at = '2020-01-01T00:00:00.000000Z' "
            "WHERE message_id = ?",
            (old.message_id,),
        )
    removed = await write(db, store.purge_older_than, 30, now=T0 + timedelta(days=1))
    assert removed == 1
    assert await rows_of(db, "SELECT size FROM recorded_files") == [(len(b"new bytes"),)]
    assert await rows_of(db, "SELECT COUNT(*) FROM recorded_reactions") == [(0,)]
