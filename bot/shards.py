"""Which guilds this process owns when several processes split the bot's shards.

Discord routes a guild's events to shard ``(guild_id >> 22) % shard_count``; a process
started with ``--shard-ids`` receives only its shards' events, and its timers must likewise
touch only its shards' guilds (another process runs the rest). A process without sharding
options owns every guild.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True, slots=True)
class ShardSet:
    count: int = 1
    ids: tuple[int, ...] = (0,)

    @classmethod
    def of(cls, count: int | None, ids: Iterable[int] | None) -> ShardSet:
        if count is None:
            if ids:
                raise ValueError("--shard-ids needs --shard-count")
            return cls()
        if count < 1:
            raise ValueError("--shard-count must be at least 1")
        chosen = tuple(sorted(set(ids))) if ids else tuple(range(count))
        if not chosen or any(not 0 <= i < count for i in chosen):
            raise ValueError(f"--shard-ids must be between 0 and {count - 1}")
        return cls(count, chosen)

    @property
    def sharded(self) -> bool:
        """Started with sharding options: other processes may share the database."""
        return self.count > 1 or self.ids != (0,)

    @property
    def everything(self) -> bool:
        return len(self.ids) == self.count

    def owns(self, guild_id: int | None) -> bool:
        """True for this process's guilds; work with no guild belongs to shard 0's process."""
        if guild_id is None:
            return 0 in self.ids
        return self.everything or shard_of(guild_id, self.count) in self.ids

    def label(self) -> str:
        return f"shards {','.join(map(str, self.ids))} of {self.count}"


def parse_ids(text: str | None) -> tuple[int, ...] | None:
    """``"0,1"`` or ``"0-3"`` -> ids; None when not given."""
    if text is None or not text.strip():
        return None
    ids: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            low, high = part.split("-", 1)
            ids.extend(range(int(low), int(high) + 1))
        elif part:
            ids.append(int(part))
    return tuple(ids)
