"""/quote random, show, search, cite through the real bot: citations, autocomplete, limits."""

from __future__ import annotations

from tests import cards
from tests.quotes.helpers import approved, delivered_pings

KAREN_CITATION = (
    "Karen Hao — “Her — What OpenAI CEO Sam Altman gets wrong about his favourite film” "
    "(Film Stories), ¶9"
)


def citation_of(result) -> str:
    """The card's citation line: after the block-quoted words, "— citation"."""
    for line in cards.text(result).splitlines():
        if line.startswith("— "):
            return line.removeprefix("— ")
    raise AssertionError(f"no citation in {cards.text(result)!r}")


def footer_of(result) -> str:
    """The card's small id line, "-# `id` · tags", as "id · tags"."""
    line = cards.text(result).splitlines()[-1]
    return line.removeprefix("-# ").replace("`", "")


async def test_show_replies_with_the_quote_and_its_citation(world):
    result = await world.alice.slash(world.channel, "quote show", id="fs-002")
    assert not result.ephemeral
    assert cards.is_card(result)
    assert "> Karen Hao noted that Altman seems to have missed the point of Her." in cards.text(
        result
    )
    assert citation_of(result) == KAREN_CITATION
    assert footer_of(result) == "fs-002 · altman, karen-hao"
    assert cards.labels(result) == ["Cite"]
    cited = await world.bob.click(result.response, label="Cite")
    assert cited.ephemeral and cited.response.content.startswith("> Karen Hao noted")


async def test_show_unknown_id_is_a_clear_ephemeral_error(world):
    result = await world.alice.slash(world.channel, "quote show", id="nope-1")
    assert result.ephemeral
    assert "There is no quote `nope-1` here" in result.response.content
    assert len(world.user_errors()) == 1


async def test_id_autocomplete_finds_by_words_and_by_id_prefix(world):
    by_words = await world.alice.autocomplete(world.channel, "quote show", "id", "karen")
    assert [c["value"] for c in by_words] == ["fs-002"]
    assert by_words[0]["name"].startswith("fs-002 · Karen Hao: Karen Hao noted")
    by_prefix = await world.alice.autocomplete(world.channel, "quote cite", "id", "film-")
    # id matches come first, then quotes whose words match
    assert [c["value"] for c in by_prefix][:2] == ["film-001", "film-002"]
    as_typing = await world.alice.autocomplete(world.channel, "quote show", "id", "lonel")
    assert [c["value"] for c in as_typing] == ["film-001"]  # last word is a prefix


async def test_random_with_filters_and_their_autocomplete(world):
    result = await world.alice.slash(world.channel, "quote random", speaker="theo")
    assert footer_of(result).startswith("film-001")
    assert "Theodore — *Her* (dir. Spike Jonze, 2013)" in citation_of(result)
    result = await world.alice.slash(world.channel, "quote random", source="her-film", tag="cast")
    assert footer_of(result).startswith("film-002")

    speakers = await world.alice.autocomplete(world.channel, "quote random", "speaker", "ka")
    assert [c["value"] for c in speakers] == ["Karen Hao"]
    sources = await world.alice.autocomplete(world.channel, "quote random", "source", "film")
    assert {c["value"] for c in sources} == {"her-film", "filmstories-altman"}
    tags = await world.alice.autocomplete(world.channel, "quote random", "tag", "alt")
    assert [c["value"] for c in tags] == ["altman"]

    none = await world.alice.slash(world.channel, "quote random", speaker="Nobody")
    assert none.ephemeral and "No quote matches speaker “Nobody”" in none.response.content
    world.user_errors()


async def test_search_autocomplete_is_bounded_to_25_and_picking_one_shows_it(world):
    for n in range(40):
        await approved(world, f"Loneliness is a theme, variation {n}.")
    choices = await world.alice.autocomplete(world.channel, "quote search", "text", "lonel")
    assert len(choices) == 25
    assert all(len(c["name"]) <= 100 for c in choices)
    picked = await world.alice.slash(world.channel, "quote search", text=choices[0]["value"])
    assert footer_of(picked).startswith(choices[0]["value"])


async def test_search_text_lists_matches_with_citations(world):
    result = await world.alice.slash(world.channel, "quote search", text="Altman missed point")
    assert result.ephemeral
    content = result.response.content
    assert "`fs-002`" in content and "¶9" in content  # every line carries its citation
    nothing = await world.alice.slash(world.channel, "quote search", text="zebra xylophone")
    assert "No quote matches" in nothing.response.content
    world.user_errors()


async def test_cite_gives_copyable_text_with_the_full_citation(world):
    result = await world.alice.slash(world.channel, "quote cite", id="fs-002")
    assert result.response.content == (
        "> Karen Hao noted that Altman seems to have missed the point of Her.\n"
        f"— {KAREN_CITATION}  `fs-002`"
    )


async def test_a_quote_with_everyone_and_a_mention_pings_nobody(world):
    text = f"@everyone look: {world.bob.mention} said <@&{world.mod_role.id}> was right"
    qid = await approved(world, text)
    cited = await world.alice.slash(world.channel, "quote cite", id=qid)
    message = cited.response.message
    assert "@everyone" in message.content and world.bob.mention in message.content
    assert [u.id for u in message.mentions] == [world.bob.id]  # the text names bob...
    assert delivered_pings(world, message) == ([], [], False)  # ...but nobody is notified
    shown = await world.alice.slash(world.channel, "quote show", id=qid)
    assert delivered_pings(world, shown.response.message) == ([], [], False)
    assert "@everyone" in cards.text(shown)


async def test_commands_are_guild_only_and_every_reply_has_a_citation(world):
    qid = await approved(world, "Members' words.", locator="#general, 2026-01-01")
    result = await world.alice.slash(world.channel, "quote show", id=qid)
    assert citation_of(result) == "alice — Discord discussion, #general, 2026-01-01"


async def test_cite_keeps_the_citation_when_many_short_lines_fill_the_message(world):
    # Each line gains a "> " prefix: the words must be cut for it, never the citation.
    text = "\n".join(["a"] * 500)  # 999 characters, within max_text_length
    qid = await approved(world, text, locator="#general, 2026-01-01")
    result = await world.alice.slash(world.channel, "quote cite", id=qid)
    content = result.response.content
    assert len(content) <= 2000
    assert content.startswith("> a\n> a\n")
    assert content.endswith(f"\n— alice — Discord discussion, #general, 2026-01-01  `{qid}`")
