"""Nominations by reaction: members' reactions put a message in the review queue, once."""

from __future__ import annotations

from cogs.quotes import nominations_store, quote_store, review_store

STAR = "⭐"


async def _turn_on(world, threshold: int = 3, **options):
    shown = await world.mod.slash(
        world.channel, "quote nominations", emoji=STAR, threshold=threshold, **options
    )
    assert shown.ephemeral
    return shown.response.content


async def _rows(world):
    return await world.db.fetchall(
        "SELECT message_id, author_id, nominated_by, reactions, outcome, quote_id "
        "FROM quote_nominations ORDER BY message_id"
    )


async def test_reactions_reaching_the_threshold_nominate_the_message_once(world):
    said = await _turn_on(world, threshold=3)
    assert f"**3** members react with {STAR} in every channel" in said
    message = await world.bob.send(world.channel, "The film is about people, not products.")
    await world.restart()  # a fresh process: the message is in no cache, raw events count it

    robot = world.guild.add_member(world.env.create_user("robot", bot=True))
    await robot.react(message, STAR)  # a bot's reaction does not count
    await world.bob.react(message, STAR)  # nor the author's own
    await world.alice.react(message, STAR)
    await world.members[2].react(message, "👍")  # another emoji
    await world.members[2].react(message, STAR)
    assert await review_store.pending(world.db, world.guild.id) == []  # 5 reactions, 2 that count

    (dave,) = await world.add_members(1, "dave")
    await dave.react(message, STAR)
    (q,) = await review_store.pending(world.db, world.guild.id)
    assert q.text == "The film is about people, not products."
    assert (q.author_id, q.speaker, q.origin, q.submitted_by) == (
        world.bob.id,
        "bob",
        "message",
        None,
    )
    assert q.message_link == message.jump_url
    assert q.locator.startswith("#general, ")
    (row,) = await _rows(world)
    assert (row["author_id"], row["nominated_by"], row["reactions"], row["outcome"]) == (
        world.bob.id,
        dave.id,
        3,
        "queued",
    )

    # More reactions, and a reaction taken back and given again: still one quote.
    await world.mod.react(message, STAR)
    await dave.unreact(message, STAR)
    await dave.react(message, STAR)
    assert [p.id for p in await review_store.pending(world.db, world.guild.id)] == [q.id]
    review = await world.mod.slash(world.channel, "quote review")
    assert q.id in review.response.message.embeds[0].footer.text
    assert (
        f"words of bob ({world.bob.mention})" in review.response.message.embeds[0].fields[1].value
    )


async def test_a_burst_of_reactions_at_the_threshold_queues_one_quote(world):
    await _turn_on(world, threshold=2)
    message = await world.bob.send(world.channel, "Samantha grows; Theodore catches up.")
    crowd = await world.add_members(6, "fan")
    backend = world.env.backend
    for member in crowd:  # all delivered before the bot handles any of them
        backend.set_reaction(world.channel.id, message.id, STAR, member.id, True)
    await world.env.settle()
    assert len(await review_store.pending(world.db, world.guild.id)) == 1
    assert len(await _rows(world)) == 1


async def test_opted_out_authors_and_bots_are_never_nominated(world):
    await _turn_on(world, threshold=2)
    await world.bob.slash(world.channel, "privacy opt-out", scope="quotes")
    words = await world.bob.send(world.channel, "Please don't quote me.")
    robot = world.guild.add_member(world.env.create_user("robot", bot=True))
    beep = await robot.send(world.channel, "Beep: the film is two hours long.")
    for member in (world.alice, world.members[2], world.mod):
        await member.react(words, STAR)
        await member.react(beep, STAR)
    assert await review_store.pending(world.db, world.guild.id) == []
    # The bot's message is marked so it is never fetched again; the opted-out member's
    # message leaves nothing about them in the database.
    rows = await _rows(world)
    assert [(r["message_id"], r["outcome"]) for r in rows] == [(beep.id, "ignored")]


async def test_a_rejected_nomination_is_never_nominated_again(world):
    await _turn_on(world, threshold=2)
    message = await world.bob.send(world.channel, "A line the moderators don't want.")
    await world.alice.react(message, STAR)
    await world.members[2].react(message, STAR)
    (q,) = await review_store.pending(world.db, world.guild.id)
    review = await world.mod.slash(world.channel, "quote review")
    await world.mod.click(review.response.message, custom_id=f"herbot:quote:reject:{q.id}")
    assert (
        await quote_store.get(world.db, q.id, world.guild.id, any_status=True)
    ).status == "rejected"

    await world.restart()  # remembered in the database, not in memory
    for member in await world.add_members(3, "late"):
        await member.react(message, STAR)
    assert await review_store.pending(world.db, world.guild.id) == []
    shown = await world.mod.slash(world.channel, "quote nominations")
    assert "So far 1 nominated: 0 pending, 0 approved, 1 rejected" in shown.response.content


async def test_only_the_chosen_channels_and_only_when_turned_on(world):
    films = world.guild.create_text_channel("films")
    message = await world.bob.send(world.channel, "Nominations are off here.")
    await world.alice.react(message, STAR)
    await world.members[2].react(message, STAR)
    assert await review_store.pending(world.db, world.guild.id) == []  # off: no emoji chosen

    said = await _turn_on(world, threshold=2, channels=f"<#{films.id}>")
    assert f"<#{films.id}>" in said
    other = await world.bob.send(world.channel, "Not in a watched channel.")
    await world.alice.react(other, STAR)
    await world.members[2].react(other, STAR)
    assert await review_store.pending(world.db, world.guild.id) == []
    watched = await world.bob.send(films, "In the films channel.")
    await world.alice.react(watched, STAR)
    await world.members[2].react(watched, STAR)
    assert [q.text for q in await review_store.pending(world.db, world.guild.id)] == [
        "In the films channel."
    ]

    off = await world.mod.slash(world.channel, "quote nominations", off=True)
    assert "are **off**" in off.response.content
    assert await nominations_store.rule_for(world.db, world.guild.id) is None


async def test_bad_settings_are_refused_privately_and_members_cannot_change_them(world):
    bad = await world.mod.slash(world.channel, "quote nominations", emoji="star")
    assert bad.ephemeral and "Nothing was changed" in bad.response.content
    assert "must be one emoji" in bad.response.content
    nowhere = await world.mod.slash(world.channel, "quote nominations", channels="general")
    assert "mentioning them" in nowhere.response.content
    member = await world.alice.slash(world.channel, "quote nominations", emoji=STAR)
    assert member.ephemeral and "Only moderators" in member.response.content
    assert await nominations_store.rule_for(world.db, world.guild.id) is None
    # The same settings through /settings, as every server setting.
    await world.admin.slash(
        world.channel, "settings set", key="quote_nominate_emoji", value="<:her:123456789012345678>"
    )
    rule = await nominations_store.rule_for(world.db, world.guild.id)
    assert rule is not None and rule.is_the_emoji("<:her_renamed:123456789012345678>")
    world.user_errors()


async def test_forget_me_removes_nominations_of_your_messages_and_your_name(world):
    await _turn_on(world, threshold=2)
    message = await world.bob.send(world.channel, "Words bob will take back.")
    await world.alice.react(message, STAR)
    await world.members[2].react(message, STAR)
    other = await world.alice.send(world.channel, "Words of alice.")
    await world.members[2].react(other, STAR)
    await world.bob.react(other, STAR)  # bob's reaction completes alice's nomination
    assert len(await _rows(world)) == 2

    forgot = await world.bob.slash(world.channel, "privacy forget-me")
    done = await world.bob.click(forgot.response, label="Yes, delete my data")
    assert "1 nomination of your messages" in done.response.content
    assert "1 nomination your reaction completed" in done.response.content
    (left,) = await _rows(world)
    assert (left["author_id"], left["nominated_by"]) == (world.alice.id, None)
    assert (
        await world.db.fetchval(
            "SELECT count(*) FROM quote_nominations WHERE author_id = :u OR nominated_by = :u",
            {"u": world.bob.id},
        )
        == 0
    )
