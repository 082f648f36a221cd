"""Members named in words: a mention shows as a name only where Discord renders it.

Discord turns ``<@id>`` into a name in message content and embed descriptions and fields, but
only when the reader's client has that member loaded, and never in embed titles, field names,
footers or thread names; without the members intent herbot's own cache holds few members.
So where a line names a member for a moderator to read (who submitted a quote, who reviewed
it), herbot looks the display name up once and shows it beside the mention.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable

import discord

from bot.presentation import escape_markdown


def named(user_id: int, names: dict[int, str]) -> str:
    """``alice (<@id>)`` when the name is known, else the mention alone."""
    name = names.get(user_id)
    return f"{escape_markdown(name)} (<@{user_id}>)" if name else f"<@{user_id}>"


class DisplayNames:
    """Display names of a guild's members: the cache, then one REST look-up per unknown id.

    Kept per cog (not global), bounded; a member who left or cannot be fetched stays
    unnamed (the caller shows the mention alone).
    """

    def __init__(self, size: int = 512) -> None:
        self._known: OrderedDict[tuple[int, int], str] = OrderedDict()
        self._size = size

    def remember(self, member: discord.abc.User) -> None:
        guild = getattr(member, "guild", None)
        if guild is not None:
            self._put(guild.id, member.id, member.display_name)

    def _put(self, guild_id: int, user_id: int, name: str) -> None:
        self._known[(guild_id, user_id)] = name
        self._known.move_to_end((guild_id, user_id))
        while len(self._known) > self._size:
            self._known.popitem(last=False)

    async def of(self, guild: discord.Guild | None, user_ids: Iterable[int]) -> dict[int, str]:
        if guild is None:
            return {}
        found: dict[int, str] = {}
        missing = []
        for uid in dict.fromkeys(user_ids):
            member = guild.get_member(uid)
            if member is not None:
                self._put(guild.id, uid, member.display_name)
            if (guild.id, uid) in self._known:
                found[uid] = self._known[(guild.id, uid)]
            else:
                missing.append(uid)
        fetched = await asyncio.gather(*(self._fetch(guild, uid) for uid in missing))
        for uid, member in zip(missing, fetched, strict=True):
            if member is not None:
                self._put(guild.id, uid, member.display_name)
                found[uid] = member.display_name
        return found

    @staticmethod
    async def _fetch(guild: discord.Guild, user_id: int) -> discord.Member | None:
        try:
            return await guild.fetch_member(user_id)
        except discord.HTTPException:  # left the server, or Discord said no: no name
            return None
