"""What /help shows a member: the commands they may run here, grouped by feature.

Pure: the cog turns the command tree into :class:`Entry` rows (who each command is for comes
from its checks, see :func:`bot.checks.audience`) and says who is asking; this module picks
and groups. A member sees what everyone may run, a moderator their tools too, an admin the
settings, the owner theirs; every command that not everyone may run is marked with who may.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.i18n import Listed, Text, _, render

if TYPE_CHECKING:
    from bot.checks import Audience

Locales = Iterable[str | None] | str | None
MODERATORS_PREFIX = "Moderators: "

MARKS: dict[Audience, Text | None] = {
    "everyone": None,
    "moderators": _("moderators only"),
    "admins": _("admins (Manage Server) only"),
    "owner": _("the bot's owner only"),
}


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # "poll create", in the reader's language
    description: str  # in the reader's language
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


def line(entry: Entry, locales: Locales = None) -> str:
    mark = MARKS[entry.audience]
    # Descriptions of moderator commands may already start with "Moderators: ".
    text = entry.description.removeprefix(MODERATORS_PREFIX)
    return f"`/{entry.name}` — {text}" + (f" · *{render(mark, locales)}*" if mark else "")


def off_line(what: str, commands: tuple[str, ...], locales: Locales = None) -> str:
    """A feature's part that is off without the Message Content intent, said once."""
    named = render(Listed(commands, wrap="`/{}`"), locales)
    listed = " (" + named + ")" if named else ""
    return render(
        _(
            "⚠️ *Off here:* {what}{commands}: herbot runs without Discord's Message Content intent.",
            what=what.lower(),
            commands=listed,
        ),
        locales,
    )


def sections(
    entries: list[Entry],
    asker: Asker,
    off: Mapping[str, list[str]] | None = None,
    locales: Locales = None,
) -> dict[str, list[str]]:
    """``{feature title: lines}`` of what ``asker`` may run, in the features' order; in a
    server, each section first says what of it is ``off`` (``{title: lines}``)."""
    grouped: dict[str, list[str]] = {}
    for entry in entries:
        if asker.may_run(entry):
            grouped.setdefault(entry.section, []).append(line(entry, locales))
    if asker.in_server:
        for title, lines in (off or {}).items():
            grouped[title] = lines + grouped.get(title, [])
    return grouped


def section_title(description: str) -> str:
    """A feature's title from its description ("Debates: button polls …" → "Debates")."""
    return description.split(":", 1)[0].strip()
