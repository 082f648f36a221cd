"""herbot installed by a member for themselves: /ask and /quote reads in a DM and in a server
herbot is not a member of answer from the curated store only; server-only commands refuse."""

from __future__ import annotations

import pytest

from tests import cards
from tests.quotes.helpers import approved

SECRET = "Our server's own words about the beach scene, never to leave it."
USER_INSTALLABLE = {"ask", "quote random", "quote show", "quote search", "quote cite"}


@pytest.fixture
async def server_without_bot(world):
    """A second server where alice uses herbot but herbot is not a member.

    simcord's bot sees every guild it creates, so the bot forgets this one (as if only the
    member had installed herbot): interactions from it carry a guild id herbot has no data
    or gateway events for.
    """
    other = world.env.create_guild("Another server")
    channel = other.create_text_channel("chat")
    member = other.add_member(world.env.create_user("stranger"))
    state = world.bot._connection
    state._remove_guild(state._get_guild(other.id))
    assert world.bot.get_guild(other.id) is None
    return member, channel


def _text(result) -> str:
    response = result.response
    parts = [response.content or "", cards.text(result)]
    for embed in response.embeds:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        parts += [f.value for f in embed.fields]
    return "\n".join(parts)


async def test_registered_as_user_installable_only_where_meant(world):
    commands = {c.name: c for c in world.bot.tree.get_commands()}
    for name in ("ask", "quote"):
        payload = commands[name].to_dict(world.bot.tree)
        assert set(payload["integration_types"]) == {0, 1}, name
        assert set(payload["contexts"]) == {0, 1, 2}, name
    for name in ("poll", "debate", "settings", "record", "transcript"):
        payload = commands[name].to_dict(world.bot.tree)
        assert payload.get("integration_types") in (None, [0]), name
        assert payload.get("contexts") in (None, [0]), name


async def test_dm_reads_the_curated_store_only(world):
    qid = await approved(world, SECRET)
    user = world.alice.user
    visible = set(user.available_commands())
    assert visible >= USER_INSTALLABLE

    shown = await user.slash("quote show", id="fs-002")
    assert "Karen Hao noted" in _text(shown)
    theirs = await user.slash("quote show", id=qid)
    assert theirs.ephemeral and "no quote" in theirs.response.content
    found = await user.slash("quote search", text="beach scene")
    assert SECRET not in _text(found)
    choices = await user.autocomplete("quote show", "id", "beach")
    assert qid not in [c["value"] for c in choices]
    curated = await user.autocomplete("quote show", "id", "karen")
    assert [c["value"] for c in curated] == ["fs-002"]
    cited = await user.slash("quote cite", id="film-001")
    assert "felt everything" in cited.response.content
    for _ in range(5):
        rolled = await user.slash("quote random")
        assert SECRET not in _text(rolled)
    asked = await user.slash("ask", question="Who voices Samantha?")
    assert "Scarlett Johansson" in _text(asked)
    assert len(world.user_errors()) == 2  # their quote: not found, not searchable


async def test_server_only_commands_refuse_in_a_dm(world):
    user = world.alice.user
    refused = await user.slash("quote submit")
    assert refused.ephemeral and "server where herbot is a member" in refused.response.content
    refused = await user.slash("quote review")
    assert refused.ephemeral and "server where herbot is a member" in refused.response.content
    assert "poll create" not in user.available_commands()
    assert len(world.user_errors()) == 2


async def test_server_without_the_bot_reads_the_curated_store_only(world, server_without_bot):
    member, channel = server_without_bot
    qid = await approved(world, SECRET)
    shown = await member.slash(channel, "quote show", id="fs-001")
    assert "product pitch" in _text(shown)
    theirs = await member.slash(channel, "quote show", id=qid)
    assert theirs.ephemeral and "no quote" in theirs.response.content
    found = await member.slash(channel, "quote search", text="beach scene")
    assert SECRET not in _text(found)
    asked = await member.slash(channel, "ask", question="Who voices Samantha?")
    assert "Scarlett Johansson" in _text(asked)
    refused = await member.slash(channel, "quote submit")
    assert refused.ephemeral and "server where herbot is a member" in refused.response.content
    assert len(world.user_errors()) == 3
