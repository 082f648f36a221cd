"""Submitting (modal, "Save as quote"), the review queue's buttons before and after a
restart, and who may moderate."""

from __future__ import annotations

from cogs.quotes import import_store, quote_store, review_store
from tests.quotes.helpers import pending


def _modal_controls(shown) -> dict[str, dict]:
    """The modal's controls by custom id (each inside its label)."""
    return {
        label["component"]["custom_id"]: label["component"]
        for label in shown.modal["components"]
        if "component" in label
    }


async def test_submit_modal_picks_source_and_tags_instead_of_typing(world):
    shown = await world.alice.slash(world.channel, "quote submit")
    assert shown.modal is not None
    controls = _modal_controls(shown)
    assert list(controls) == ["text", "speaker", "source", "locator", "tags"]
    source = controls["source"]
    assert source["type"] == 3  # a string select
    assert source["options"][0]["value"] == "discord"  # preselected: this server
    assert next(o for o in source["options"] if o.get("default"))["value"] == "discord"
    assert {"her-film", "filmstories-altman"} <= {o["value"] for o in source["options"]}
    tags = controls["tags"]
    assert tags["type"] == 22  # a checkbox group
    assert {"altman", "cast", "loneliness"} <= {o["value"] for o in tags["options"]}
    done = await world.alice.submit_modal(
        shown,
        {
            "text": "I'm yours and I'm not yours.",
            "speaker": "Samantha",
            "source": ["her-film"],
            "tags": ["loneliness", "cast"],
        },
    )
    assert done.ephemeral and "waiting for a moderator" in done.response.content
    (q,) = await review_store.pending(world.db, world.guild.id)
    assert (q.source_id, q.locator, q.tags) == ("her-film", "", ("loneliness", "cast"))


async def test_submit_modal_puts_a_quote_in_the_pending_queue(world):
    shown = await world.alice.slash(world.channel, "quote submit", source="her-film")
    assert shown.modal is not None
    done = await world.alice.submit_modal(
        shown,
        {
            "text": "I'm yours and I'm not yours.",
            "speaker": "Samantha",
            "locator": "Near the end",
            "tags": ["loneliness", "cast"],
        },
    )
    assert done.ephemeral and "waiting for a moderator" in done.response.content
    (q,) = await review_store.pending(world.db, world.guild.id)
    assert (q.text, q.speaker, q.source_id, q.locator, q.tags) == (
        "I'm yours and I'm not yours.",
        "Samantha",
        "her-film",
        "Near the end",
        ("loneliness", "cast"),
    )
    assert q.submitted_by == world.alice.id and q.origin == "submitted"
    assert await quote_store.get(world.db, q.id, world.guild.id) is None  # not visible yet


async def test_submit_with_an_unknown_source_is_refused_before_the_modal(world):
    result = await world.alice.slash(world.channel, "quote submit", source="no-such")
    assert result.modal is None and result.ephemeral
    assert "Unknown source" in result.response.content
    world.user_errors()


async def test_save_as_quote_keeps_the_message_link_and_author(world):
    message = await world.bob.send(world.channel, "The film is about people, not products.")
    result = await world.alice.context_menu(world.channel, "Save as quote", message)
    assert result.ephemeral and "Saved bob's message for review" in result.response.content
    (q,) = await review_store.pending(world.db, world.guild.id)
    assert q.text == "The film is about people, not products."
    assert (q.author_id, q.submitted_by, q.origin) == (world.bob.id, world.alice.id, "message")
    assert q.message_link == message.jump_url
    assert q.locator == "#general, 2026-01-01"

    again = await world.members[2].context_menu(world.channel, "Save as quote", message)
    assert f"already saved as `{q.id}`" in again.response.content
    world.user_errors()


async def test_save_as_quote_refuses_bots_empty_and_opted_out_members(world):
    bot_reply = (await world.alice.slash(world.channel, "quote show", id="fs-001")).response
    refused = await world.alice.context_menu(world.channel, "Save as quote", bot_reply.message)
    assert "bots and webhooks" in refused.response.content

    empty = await world.bob.send(world.channel, "", attachments=[("pic.png", b"\x89PNG")])
    refused = await world.alice.context_menu(world.channel, "Save as quote", empty)
    assert "no text to quote" in refused.response.content

    await world.bob.slash(world.channel, "privacy opt-out", scope="quotes")
    words = await world.bob.send(world.channel, "Please don't quote me.")
    refused = await world.alice.context_menu(world.channel, "Save as quote", words)
    assert refused.ephemeral and "bob has opted out of being quoted" in refused.response.content
    assert await review_store.pending(world.db, world.guild.id) == []
    assert len(world.user_errors()) == 3


async def test_opting_out_withdraws_pending_quotes_of_your_messages(world):
    message = await world.bob.send(world.channel, "Something bob wrote.")
    await world.alice.context_menu(world.channel, "Save as quote", message)
    mine = await pending(world, "bob submitted this himself")  # bob is the submitter, not author
    result = await world.bob.slash(world.channel, "privacy opt-out", scope="quotes")
    assert "1 pending quote of your messages" in result.response.content
    assert [q.id for q in await review_store.pending(world.db, world.guild.id)] == [mine]

    forgot = await world.bob.slash(world.channel, "privacy forget-me")
    done = await world.bob.click(forgot.response, label="Yes, delete my data")
    assert "1 pending quote submission" in done.response.content
    assert await review_store.pending(world.db, world.guild.id) == []


async def test_review_buttons_work_before_and_after_a_restart(world):
    first = await pending(world, "First submission.")
    second = await pending(world, "Second submission.")
    third = await pending(world, "Third submission.")
    review = await world.mod.slash(world.channel, "quote review")
    message = review.response.message
    assert not review.ephemeral
    assert "3 pending" in message.content
    assert [e.footer.text.split(" ")[1] for e in message.embeds] == [first, second, third]

    approved = await world.mod.click(message, custom_id=f"herbot:quote:approve:{first}")
    assert "2 pending" in approved.response.content
    assert (await quote_store.get(world.db, first, world.guild.id)).status == "approved"
    decisions = [f.value for f in approved.response.embeds[0].fields if f.name == "Decision"]
    assert decisions == [f"✅ Approved by mod ({world.mod.mention})"]

    await world.restart()

    rejected = await world.mod.click(message, custom_id=f"herbot:quote:reject:{second}")
    assert "1 pending" in rejected.response.content
    q = await quote_store.get(world.bot.db, second, world.guild.id, any_status=True)
    assert (q.status, q.reviewed_by) == ("rejected", world.mod.id)

    shown = await world.mod.click(message, custom_id=f"herbot:quote:edit:{third}")
    assert shown.modal is not None
    values = {
        c["components"][0]["custom_id"]: c["components"][0].get("value")
        for c in shown.modal["components"]
    }
    assert values["text"] == "Third submission."
    edited = await world.mod.submit_modal(
        shown,
        {"text": "Third submission, tidied.", "speaker": "Bob", "locator": "#general", "tags": ""},
    )
    assert edited.response.embeds[2].description == "Third submission, tidied."
    q = await quote_store.get(world.bot.db, third, world.guild.id, any_status=True)
    assert (q.text, q.status, q.edited_by) == ("Third submission, tidied.", "pending", world.mod.id)
    approved = await world.mod.click(message, custom_id=f"herbot:quote:approve:{third}")
    assert "0 pending" in approved.response.content
    assert approved.response.message.components == []  # nothing left to click


async def test_a_second_click_on_a_reviewed_quote_says_so(world):
    qid = await pending(world, "Contested.")
    review = await world.mod.slash(world.channel, "quote review")
    other = await world.admin.slash(world.channel, "quote review")  # an admin opens it too
    await world.mod.click(review.response.message, custom_id=f"herbot:quote:approve:{qid}")
    late = await world.admin.click(other.response.message, custom_id=f"herbot:quote:reject:{qid}")
    assert late.ephemeral and f"`{qid}` was already reviewed (approved)" in late.response.content
    assert (await quote_store.get(world.db, qid, world.guild.id)).status == "approved"


async def test_non_moderators_are_refused_commands_and_buttons(world):
    qid = await pending(world, "Please approve me.")
    refused = await world.alice.slash(world.channel, "quote review")
    assert refused.ephemeral and "Only moderators" in refused.response.content
    for command, options in (
        ("quote remove", {"id": "fs-001"}),
        ("quote edit", {"id": "fs-001"}),
        ("quote export", {}),
    ):
        result = await world.alice.slash(world.channel, command, **options)
        assert "Only moderators" in result.response.content, command
    assert len(world.user_errors()) == 4

    review = await world.mod.slash(world.channel, "quote review")
    click = await world.alice.click(
        review.response.message, custom_id=f"herbot:quote:approve:{qid}"
    )
    assert click.ephemeral and "Only moderators" in click.response.content
    assert (
        await quote_store.get(world.db, qid, world.guild.id, any_status=True)
    ).status == "pending"


async def test_review_with_an_empty_queue(world):
    result = await world.mod.slash(world.channel, "quote review")
    assert result.ephemeral and "Nothing to review" in result.response.content


async def test_a_review_of_three_long_saved_messages_fits_the_embed_budget(world):
    # max_text_length may be up to 4,000: the embeds' citations and fields share 6,000 chars.
    ids, links = [], []
    for n in range(3):
        link = f"https://discord.com/channels/{world.guild.id}/{world.channel.id}/{10**17 + n}"
        links.append(link)
        ids.append(
            await pending(
                world,
                f"{n} " + "word " * 790,
                speaker="S" * 100,
                locator="L" * 200,
                author_id=world.alice.id,
                message_link=link,
                origin="message",
            )
        )
    review = await world.mod.slash(world.channel, "quote review")
    assert not review.ephemeral and "3 pending" in review.response.content
    embeds = review.response.embeds
    assert sum(len(e) for e in embeds) <= 6000
    assert all(e.description.endswith("…") for e in embeds)  # cut, not dropped
    citations = [e.fields[0].value for e in embeds]
    assert all(c.endswith(link) for c, link in zip(citations, links, strict=True))  # whole
    done = await world.mod.click(
        review.response.message, custom_id=f"herbot:quote:approve:{ids[0]}"
    )
    assert "2 pending" in done.response.content  # the re-render (with a Decision) fits too
    assert sum(len(e) for e in done.response.embeds) <= 6000


async def test_submit_accepts_any_source_not_only_the_first_25(world):
    async with world.db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO quote_sources (id, kind, title) VALUES (?, 'article', ?)",
            [(f"essay-{n:02}", f"Essay {n:02}") for n in range(30)],
        )
    shown = await world.alice.slash(world.channel, "quote submit", source="essay-29")
    assert shown.modal is not None, shown.response.content
    source = _modal_controls(shown)["source"]
    assert len(source["options"]) <= 25
    assert next(o for o in source["options"] if o.get("default"))["label"] == "Essay 29"


async def test_untidy_tags_are_tidied_not_refused_and_survive_an_export_round_trip(world):
    """Members pick tags in use; a moderator types new ones in the edit form."""
    qid = await pending(world, "A long quote a member took care to type.", speaker="Amy")
    shown = await world.mod.slash(world.channel, "quote edit", id=qid)
    done = await world.mod.submit_modal(
        shown,
        {
            "text": "A long quote a member took care to type.",
            "speaker": "Amy",
            "locator": "",
            "tags": "Sci-Fi!, AI  ethics, -love-, 愛",
        },
    )
    assert done.ephemeral and "Edited" in done.response.content  # not lost
    (q,) = await review_store.pending(world.db, world.guild.id)
    assert q.tags == ("sci-fi", "ai-ethics", "love")
    data = await import_store.export_json(world.db, world.guild.id)
    assert import_store.validate_json(data) == []  # the server's backup can be imported again
