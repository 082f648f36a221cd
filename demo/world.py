"""The small community the demo runs in: one server, one discussion channel, five people.

Built through simcord's builders and the bot's own commands, so it works with whatever
cogs are loaded: the server owner configures herbot with the real ``/settings set`` (as an
admin would on Discord), then a few members talk so the page does not open empty.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import guild_settings

if TYPE_CHECKING:
    from bot.app import Herbot

log = logging.getLogger(__name__)

GUILD_NAME = "Her fans (demo)"
CHANNEL_NAME = "her-discussion"
CHANNEL_TOPIC = "Spike Jonze's Her (2013), and whether Sam Altman misreads it"
MODERATOR_ROLE = "Moderators"

# (username, display name): members first, so the page opens as an ordinary member.
MEMBERS = (("theodore", "Theodore"), ("amy", "Amy"), ("catherine", "Catherine"))
MODERATOR = ("paul", "Paul (moderator)")
OWNER = ("charles", "Charles (server owner)")

BOT_NAME = "herbot"
# The channel's first message: where this page's composer differs from Discord's (simcord's
# page, not herbot), and the way around each; docs/demo.md says the same.
WELCOME = (
    "Welcome to the demo server! Type `/` below to see what herbot can do.\n"
    "This page is a simulated Discord, and three things work differently here:\n"
    "- **Enter picks the highlighted suggestion** while an option's list is open, instead "
    "of sending: press **Esc** to close the list, then **Enter** to send what you typed.\n"
    "- **The page does not always scroll to a new reply**: if nothing seems to happen, "
    "scroll down, the answer is there.\n"
    "- **The trash icon on your own message asks your browser to confirm first**; where "
    "the page's dialogs are blocked it does nothing: reload the page (or allow its "
    "dialogs) and try again. A deleted message leaves the channel as on Discord; herbot "
    "keeps its tombstone: `/transcript stats` counts it, `/transcript export` shows it."
)
# Then a short conversation, so the page opens on a discussion, not an empty channel.
OPENING_GAP_SECONDS = 150
OPENING = (
    ("paul", WELCOME),
    ("theodore", "Rewatched *Her* last night. Is Samantha leaving a tragedy or a graduation?"),
    ("amy", "A graduation. The film is about Theodore learning to feel again, not about the OS."),
    ("catherine", "Which is why selling 'her' as a product feature misses what the film says."),
)
# /ask's loop, ready to try: a member's question /ask declines (asked privately, so the
# channel stays a conversation) waits in Paul's `/asked gaps` (docs/demo.md).
SEEDED_GAP = ("catherine", "Where can I buy the DVD?")


@dataclass
class DemoWorld:
    """Handles on the seeded world; ``viewers`` is the page's "Viewing as" list, in order."""

    env: Any
    guild: Any
    channel: Any
    moderator_role: Any
    moderator: Any
    owner: Any
    members: list[Any]
    switcher: Any = None  # demo/switcher.py: the channel/thread picker around the page

    @property
    def bot(self) -> Herbot:
        return self.env.bot

    @property
    def viewers(self) -> list[Any]:
        return [*self.members, self.moderator, self.owner]

    @property
    def viewer_names(self) -> list[str]:
        """Display names, in the order of :attr:`viewers`."""
        return [d for _, d in (*MEMBERS, MODERATOR, OWNER)]

    def by_name(self, name: str) -> Any:
        for actor in self.viewers:
            if actor.name == name:
                return actor
        raise KeyError(name)


async def build_demo_world(env: Any, *, converse: bool = True) -> DemoWorld:
    """Seed the demo community in a running simcord ``env`` whose bot is herbot.

    Commands are registered the way ``/herbot sync`` does it. Guild settings the loaded
    features understand are set through the real ``/settings set`` by the server owner,
    so every cog hears about them exactly as it would on Discord.
    """
    await env.bot.tree.sync()
    if env.bot.user.name != BOT_NAME:  # simcord's bot account is called "TestBot"
        await env.bot.user.edit(username=BOT_NAME)
    owner_user = env.create_user(OWNER[0], global_name=OWNER[1])
    guild = env.create_guild(GUILD_NAME, owner=owner_user)
    channel = guild.create_text_channel(CHANNEL_NAME, topic=CHANNEL_TOPIC)
    moderator_role = guild.create_role(MODERATOR_ROLE)
    owner = guild.add_member(owner_user)
    moderator = guild.add_member(
        env.create_user(MODERATOR[0], global_name=MODERATOR[1]), roles=[moderator_role]
    )
    members = [guild.add_member(env.create_user(n, global_name=d)) for n, d in MEMBERS]
    world = DemoWorld(env, guild, channel, moderator_role, moderator, owner, members)

    for key, value in _guild_settings(world).items():
        result = await owner.slash(channel, "settings set", key=key, value=value)
        log.debug("demo setting %s: %s", key, result.response.content)
    if converse:
        for name, text in OPENING:
            await env.advance_time(OPENING_GAP_SECONDS)
            await world.by_name(name).send(channel, text)
        if "ask" in {c.name for c in env.bot.tree.get_commands()}:
            asker, question = SEEDED_GAP
            await world.by_name(asker).slash(channel, "ask", question=question, private=True)
    return world


def _guild_settings(world: DemoWorld) -> dict[str, str]:
    """Every per-guild key this build knows that points at the demo's role or channel."""
    wanted = {
        "moderator_role_id": str(world.moderator_role.id),
        "qotd_channel_id": str(world.channel.id),
        "debate_channel_id": str(world.channel.id),
        "record_channel_ids": str(world.channel.id),
    }
    return {k: v for k, v in wanted.items() if k in guild_settings.KEYS}
