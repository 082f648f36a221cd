"""What /help shows a member: the commands they may run here, grouped by feature.

Pure: the cog turns the command tree into :class:`Entry` rows (who each command is for comes
from its checks, see :func:`bot.checks.audience`) and says who is asking; this module picks
and groups. A member sees what everyone may run, a moderator their tools too, an admin the
settings, the owner theirs; every command that not everyone may run is marked with who may.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.checks import Audience

MARKS: dict[Audience, str] = {
    "everyone": "",
    "moderators": "moderators only",
    "admins": "admins (Manage Server) only",
    "owner": "the bot's owner only",
}


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # "poll create"
    description: str
    audience: Audience
    section: str  # the feature's title, e.g. "Debates"
    needs_server: bool  # not available in DMs or servers without herbot


@dataclass(frozen=True, slots=True)
class Asker:
    in_server: bool  # a server herbot is a member of
    moderator: bool = False
    admin: bool = False
    owner: bool = False

    def may_run(self, entry: Entry) -> bool:
        if entry.needs_server and not self.in_server:
            return False
        return {
            "everyone": True,
            "moderators": self.moderator,
            "admins": self.admin,
            "owner": self.owner,
        }[entry.audience]


def line(entry: Entry) -> str:
    mark = MARKS[entry.audience]
    # Descriptions of moderator commands may already start with "Moderators: ".
    text = entry.description.removeprefix("Moderators: ")
    return f"`/{entry.name}` — {text}" + (f" · *{mark}*" if mark else "")


def sections(entries: list[Entry], asker: Asker) -> dict[str, list[str]]:
    """``{feature title: lines}`` of what ``asker`` may run, in the features' order."""
    grouped: dict[str, list[str]] = {}
    for entry in entries:
        if asker.may_run(entry):
            grouped.setdefault(entry.section, []).append(line(entry))
    return grouped


def section_title(description: str) -> str:
    """A feature's title from its description ("Debates: button polls …" → "Debates")."""
    return description.split(":", 1)[0].strip()
