"""Small helpers for the quote behaviour tests."""

from __future__ import annotations

from typing import Any

from cogs.quotes import review_store
from cogs.quotes.review_store import Submission


async def approved(world: Any, text: str, *, speaker: str = "alice", **kw: Any) -> str:
    """A guild submission, approved by the moderator: visible in the world's guild."""
    async with world.db.transaction() as tx:
        qid = await review_store.submit_pending(
            tx,
            Submission(
                text=text,
                speaker=speaker,
                guild_id=world.guild.id,
                submitted_by=world.alice.id,
                **kw,
            ),
        )
        assert await review_store.approve(tx, qid, world.guild.id, world.mod.id)
    return qid


async def pending(world: Any, text: str, **kw: Any) -> str:
    async with world.db.transaction() as tx:
        return await review_store.submit_pending(
            tx,
            Submission(
                text=text,
                speaker=kw.pop("speaker", "bob"),
                guild_id=world.guild.id,
                submitted_by=world.bob.id,
                **kw,
            ),
        )


def delivered_pings(world: Any, message: Any) -> tuple[list[int], list[int], bool]:
    """Who the backend actually notified for ``message`` (users, roles, @everyone)."""
    stored = world.env.backend.messages[message.channel.id][message.id]
    return stored.ping_user_ids, stored.ping_role_ids, stored.mention_everyone
