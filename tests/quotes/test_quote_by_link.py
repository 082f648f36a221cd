"""Quote by link: /quote submit link: and "Quote this message" open a form filled from the
message; bad, foreign and unreadable links are refused privately."""

from __future__ import annotations

import discord
import pytest

from cogs.quotes import message_link, review_store
from cogs.quotes.message_link import BadLink


def _fields(shown) -> dict[str, str | None]:
    return {
        label["component"]["custom_id"]: label["component"].get("value")
        for label in shown.modal["components"]
        if "component" in label
    }


async def test_a_link_fills_the_form_and_the_quote_keeps_author_and_link(world):
    message = await world.bob.send(world.channel, "Her is a film about listening.")
    shown = await world.alice.slash(world.channel, "quote submit", link=message.jump_url)
    assert shown.modal is not None and shown.modal["title"] == "Quote this message"
    fields = _fields(shown)
    assert fields["text"] == "Her is a film about listening."
    assert fields["speaker"] == "bob"
    assert fields["locator"].startswith("#general, ")
    assert message.jump_url in shown.modal["components"][0]["content"]

    done = await world.alice.submit_modal(
        shown, {"text": "Her is a film about listening.", "speaker": "bob", "locator": "#general"}
    )
    assert done.ephemeral and "waiting for a moderator" in done.response.content
    (q,) = await review_store.pending(world.db, world.guild.id)
    assert (q.author_id, q.submitted_by, q.origin, q.source_id) == (
        world.bob.id,
        world.alice.id,
        "message",
        "discord",
    )
    assert q.message_link == message.jump_url

    again = await world.members[2].slash(world.channel, "quote submit", link=message.jump_url)
    assert again.modal is None and f"already saved as `{q.id}`" in again.response.content
    world.user_errors()


async def test_the_message_menu_opens_the_same_filled_form(world):
    message = await world.bob.send(world.channel, "I'm yours and I'm not yours.")
    shown = await world.alice.context_menu(world.channel, "Quote this message", message)
    assert _fields(shown)["text"] == "I'm yours and I'm not yours."
    (tags,) = [c["component"] for c in shown.modal["components"] if c.get("component", {}).get(
        "custom_id") == "tags"]  # fmt: skip
    ticked = [o["value"] for o in tags["options"][:2]]
    done = await world.alice.submit_modal(
        shown, {"text": "I'm yours and not yours.", "speaker": "Bob", "locator": "", "tags": ticked}
    )
    assert "waiting for a moderator" in done.response.content
    (q,) = await review_store.pending(world.db, world.guild.id)
    assert (q.text, q.speaker, q.author_id) == ("I'm yours and not yours.", "Bob", world.bob.id)
    assert list(q.tags) == ticked  # the tags ticked in the form are kept


async def test_bad_foreign_and_unreadable_links_are_refused_privately(world):
    message = await world.bob.send(world.channel, "Readable words.")
    g, c, m = world.guild.id, world.channel.id, message.id
    hide = {
        world.guild.default_role: discord.PermissionOverwrite(view_channel=False),
        world.mod_role: discord.PermissionOverwrite(view_channel=True),
    }
    see = discord.PermissionOverwrite(view_channel=True)
    secret = world.guild.create_text_channel("mods-only", overwrites={**hide, world.bot.user: see})
    hidden = await world.mod.send(secret, "Moderators' plans.")
    blind = world.guild.create_text_channel("bot-blind", overwrites=hide)  # herbot can't see
    unseen = await world.mod.send(blind, "Not for bots.")
    cases = {
        "not a link at all": "isn't a message link",
        "https://example.com/channels/1/2/3": "isn't a message link",
        f"https://discord.com/channels/{g}/{c}": "isn't a message link",
        f"https://discord.com/channels/@me/{c}/{m}": "direct message",
        f"https://discord.com/channels/{g + 1}/{c}/{m}": "another server",
        f"https://discord.com/channels/{g}/{c}/{m + 12345}": "can't read that message",
        f"https://discord.com/channels/{g}/{c + 999}/{m}": "can't read that message",
        hidden.jump_url: "can't read that message",  # alice can't see #mods-only
    }
    for link, expected in cases.items():
        refused = await world.alice.slash(world.channel, "quote submit", link=link[:200])
        assert refused.modal is None and refused.ephemeral, link
        assert expected in refused.response.content, (link, refused.response.content)
    assert await review_store.pending(world.db, world.guild.id) == []
    assert len(world.user_errors()) == len(cases)
    # A moderator sees #mods-only: the same link opens the form for them; in a channel
    # herbot can't read, it is refused for them too.
    shown = await world.mod.slash(world.channel, "quote submit", link=hidden.jump_url)
    assert _fields(shown)["text"] == "Moderators' plans."
    refused = await world.mod.slash(world.channel, "quote submit", link=unseen.jump_url)
    assert refused.modal is None and "can't read that message" in refused.response.content
    world.user_errors()


async def test_bots_and_opted_out_authors_are_refused(world):
    bot_reply = (await world.alice.slash(world.channel, "quote show", id="fs-001")).response
    link = bot_reply.message.jump_url
    refused = await world.alice.slash(world.channel, "quote submit", link=link)
    assert "bots and webhooks" in refused.response.content
    await world.bob.slash(world.channel, "privacy opt-out", scope="quotes")
    words = await world.bob.send(world.channel, "Not for quoting.")
    refused = await world.alice.context_menu(world.channel, "Quote this message", words)
    assert "bob has opted out of being quoted" in refused.response.content
    world.user_errors()


@pytest.mark.parametrize(
    "link",
    [
        "https://discord.com/channels/1/2/3",
        "<https://ptb.discord.com/channels/1/2/3>",
        "https://canary.discordapp.com/channels/1/2/3/",
    ],
)
def test_link_spellings(link):
    assert message_link.in_guild(link, 1) == message_link.MessageRef(1, 2, 3)


def test_link_with_trailing_words_is_not_a_link():
    with pytest.raises(BadLink):
        message_link.parse("https://discord.com/channels/1/2/3 and more")
