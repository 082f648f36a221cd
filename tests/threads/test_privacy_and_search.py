"""/privacy through the real bot redacts and forgets recorded words; search and quotes."""

from __future__ import annotations

import json

from bot import privacy
from tests.threads.conftest import cog, export, flush


async def count(world, sql, *params):
    async with world.db.execute(sql, params) as cur:
        return (await cur.fetchone())[0]


async def test_opt_out_redacts_kept_messages_and_stops_recording(world, recorded):
    await world.alice.send(recorded, "Her is a film about loneliness")
    await world.alice.send(recorded, "and about letting go")
    await world.bob.send(recorded, "Agreed")
    queued = await world.alice.send(recorded, "queued when I opted out")
    result = await world.alice.slash(recorded, "privacy opt-out", scope="recording")
    assert "3 recorded messages redacted" in result.response.content

    await world.alice.send(recorded, "not recorded any more")
    await world.alice.edit(queued, "edits are not kept either")
    await flush(world)
    assert await count(world, "SELECT COUNT(*) FROM recorded_messages") == 4
    assert await count(world, "SELECT COUNT(*) FROM recorded_messages WHERE redacted = 1") == 3
    assert (
        await count(
            world,
            "SELECT COUNT(*) FROM recorded_versions v JOIN recorded_messages m "
            "USING (message_id) WHERE m.author_id = ?",
            world.alice.id,
        )
        == 0
    )
    doc = json.loads(await (await export(world, world.mod, recorded, "json"))[0].read())
    texts = json.dumps(doc)
    assert "loneliness" not in texts and "Agreed" in texts

    await world.alice.slash(recorded, "privacy opt-in", scope="recording")
    await world.alice.send(recorded, "recorded again")
    await flush(world)
    assert await count(world, "SELECT COUNT(*) FROM recorded_messages") == 5


async def test_forget_me_deletes_recorded_messages_and_says_how_many(world, recorded):
    for text in ("one", "two", "three"):
        await world.bob.send(recorded, f"bob says {text}")
    await world.alice.send(recorded, "alice stays")
    shown = await world.bob.slash(recorded, "privacy forget-me")
    done = await world.bob.click(shown.response, label="Yes, delete my data")
    assert "3 recorded messages" in done.response.content
    assert (
        await count(
            world, "SELECT COUNT(*) FROM recorded_messages WHERE author_id = ?", world.bob.id
        )
        == 0
    )
    assert await count(world, "SELECT COUNT(*) FROM recorded_messages") == 1
    hits = await world.alice.slash(recorded, "transcript search", query="bob says")
    assert "No recorded message" in hits.response.content


async def test_search_finds_messages_with_jump_links_and_saves_a_quote(world, recorded):
    target = await world.alice.send(recorded, "The heart is not like a box that gets filled up")
    await world.bob.send(recorded, 'Nothing about boxes here: OR AND "quote" -minus')
    result = await world.members[2].slash(recorded, "transcript search", query="heart box")
    assert result.ephemeral
    field = result.response.embeds[0].fields[0]
    assert "alice" in field.name
    assert f"/{recorded.id}/{target.id}" in field.value
    # FTS syntax in user text is harmless.
    odd = await world.bob.slash(recorded, "transcript search", query='"quote" OR -minus AND')
    assert "boxes" in odd.response.embeds[0].fields[0].value

    saved = await world.members[2].click(result.response, label="Save 1 as quote")
    assert "quote queue" in saved.response.content
    async with world.db.execute(
        "SELECT text, speaker, status, origin, author_id, submitted_by, message_link "
        "FROM quotes WHERE origin = 'transcript'"
    ) as cur:
        rows = [tuple(r) for r in await cur.fetchall()]
    assert rows == [
        (
            "The heart is not like a box that gets filled up",
            "alice",
            "pending",
            "transcript",
            world.alice.id,
            world.members[2].id,
            f"https://discord.com/channels/{world.guild.id}/{recorded.id}/{target.id}",
        )
    ]

    # Saving the same message again is refused with its quote id; nothing is duplicated.
    again = await world.members[2].click(result.response, label="Save 1 as quote")
    assert again.ephemeral
    assert "already in the quote store" in again.response.content
    assert await count(world, "SELECT COUNT(*) FROM quotes WHERE origin = 'transcript'") == 1


async def test_save_as_quote_is_refused_when_the_author_opted_out_of_quotes(world, recorded):
    await world.alice.send(recorded, "Please never quote this sentence")
    result = await world.bob.slash(recorded, "transcript search", query="quote sentence")
    await privacy.opt_out(world.db, world.bot.features, world.alice.id, ("quote",))
    refused = await world.bob.click(result.response, label="Save 1 as quote")
    assert "opted out of being quoted" in refused.response.content
    assert await count(world, "SELECT COUNT(*) FROM quotes WHERE origin = 'transcript'") == 0


async def test_search_by_author_and_thread_and_bad_queries(world, recorded):
    await world.alice.send(recorded, "Samantha leaves with the other OSes")
    await world.bob.send(recorded, "Samantha was never his")
    only_bob = await world.alice.slash(
        recorded,
        "transcript search",
        query="Samantha",
        author=world.bob.user,
        thread=str(recorded.id),
    )
    fields = only_bob.response.embeds[0].fields
    assert len(fields) == 1 and "bob" in fields[0].name
    empty = await world.alice.slash(recorded, "transcript search", query="?!")
    assert "at least one word" in empty.response.content
    assert world.user_errors() == ["Type at least one word to search for."]


async def test_stats_autocomplete_and_purge(world, recorded):
    for i in range(4):
        await world.alice.send(recorded, f"alice {i}")
    await world.bob.send(recorded, "bob once")
    choices = await world.alice.autocomplete(recorded, "transcript stats", "thread", "samantha")
    assert [c["value"] for c in choices] == [str(recorded.id)]
    stats = await world.alice.slash(recorded, "transcript stats", thread=str(recorded.id))
    fields = {f.name: f.value for f in stats.response.embeds[0].fields}
    assert fields["Messages"] == "5" and fields["Participants"] == "2"
    assert fields["Most active"].splitlines()[0] == "alice — 4"
    assert "UTC" in fields["Busiest hours"]

    refused = await world.alice.slash(recorded, "record purge", thread=str(recorded.id))
    assert "Only moderators" in refused.response.content
    world.user_errors()
    asked = await world.mod.slash(recorded, "record purge", thread=str(recorded.id))
    done = await world.mod.click(asked.response, label="Delete the transcript")
    assert "5 messages" in done.response.content
    assert await count(world, "SELECT COUNT(*) FROM recorded_messages") == 0
    assert recorded.id not in cog(world).recordings


async def test_save_as_quote_buttons_still_work_after_a_restart(world, recorded):
    await world.alice.send(recorded, "You're mine and you're not mine")
    result = await world.bob.slash(recorded, "transcript search", query="mine")
    await world.restart()
    saved = await world.bob.click(result.response, label="Save 1 as quote")
    assert "quote queue" in saved.response.content
    assert await count(world, "SELECT COUNT(*) FROM quotes WHERE origin = 'transcript'") == 1


async def test_search_results_of_long_messages_fit_discords_embed_limits(world):
    from tests.threads.conftest import make_thread

    long_name = "Samantha and Theodore " * 5
    thread = await make_thread(world, name=long_name[:100])
    await world.mod.slash(thread, "record start")
    (writer,) = await world.add_members(1, prefix="a-member-with-a-long-name-")  # 32 chars
    filler = " ".join(f"word{i}" for i in range(300))
    for i in range(5):
        sent = await writer.send(thread, f"heart {i} {filler}"[:1900])
        await writer.edit(sent, f"edited away {i} {filler}"[:1900])  # hits: earlier version
    query = "heart " + " ".join(f"nothing{i}" for i in range(20))
    assert len(query) <= 200
    result = await world.bob.slash(thread, "transcript search", query=query)
    embed = result.response.embeds[0]
    assert len(embed.fields) == 5
    assert all(len(f.value) <= 1024 and len(f.name) <= 256 for f in embed.fields)
    total = len(embed.title) + len(embed.footer.text or "")
    total += sum(len(f.name) + len(f.value) for f in embed.fields)
    assert total <= 6000
    assert all("[Jump to message](" in f.value for f in embed.fields)


async def test_record_purge_offers_recorded_threads_to_pick_from(world, recorded):
    choices = await world.mod.autocomplete(recorded, "record purge", "thread", "samantha")
    assert [c["value"] for c in choices] == [str(recorded.id)]


async def test_autocomplete_does_not_reveal_recordings_a_member_cannot_read(world, recorded):
    import discord

    hidden = discord.PermissionOverwrite(read_messages=False, read_message_history=False)
    secret = world.guild.create_text_channel("staff-secret-plans", overwrites={world.alice: hidden})
    await world.env.settle()
    await world.mod.slash(secret, "record start")
    seen = await world.alice.autocomplete(recorded, "transcript export", "thread", "")
    assert [c["value"] for c in seen] == [str(recorded.id)]
    mod_sees = await world.mod.autocomplete(recorded, "transcript export", "thread", "")
    assert {c["value"] for c in mod_sees} == {str(recorded.id), str(secret.id)}


async def test_private_threads_stay_private_to_members_who_are_not_in_them(world):
    import discord

    parent = world.bot.get_channel(world.channel.id)
    made = await parent.create_thread(
        name="mods and alice", type=discord.ChannelType.private_thread
    )
    await made.add_user(discord.Object(world.mod.id))
    await made.add_user(discord.Object(world.alice.id))
    await world.env.settle()
    private = next(t for t in world.channel.threads if t.id == made.id)
    await world.mod.slash(private, "record start")
    await world.alice.send(private, "whispered confidences about Samantha")

    outsider = await world.bob.slash(world.channel, "transcript search", query="confidences")
    assert "No recorded message" in outsider.response.content
    assert await world.bob.autocomplete(world.channel, "transcript export", "thread", "") == []
    insider = await world.alice.slash(world.channel, "transcript search", query="confidences")
    assert "whispered" in insider.response.embeds[0].fields[0].value
