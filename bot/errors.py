"""Errors a user can act on, and the CommandTree that turns every error into a reply.

A :class:`UserError` is the user's mistake: they get its message, ephemeral. Anything else
is logged with a short id that the user sees and can quote to a moderator. When Discord
refuses one of herbot's own calls for a permission it lacks (a 403 on its post, thread or
event), :func:`bot_call` turns that into a :class:`BotMissingPermissions` naming what the
call needs and where; the command undoes what it made for the refused call.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Awaitable, Iterable, Iterator, Sequence

import discord
from discord import app_commands

from bot import interactions
from bot.config import StartError  # noqa: F401  (re-exported: the bot raises it from here)
from bot.i18n import Listed, Text, _, _n, render
from bot.presentation import MESSAGE_LIMIT, truncate
from bot.translator import member_locales

log = logging.getLogger(__name__)
Locales = Iterable[str | None] | str | None


class UserError(app_commands.AppCommandError):
    """A mistake the user can fix; ``str(error)`` says what to do."""


@contextlib.contextmanager
def refusals(*kinds: type[Exception]) -> Iterator[None]:
    """A feature's domain refusals (``kinds``) become the private answer a member reads."""
    try:
        yield
    except kinds as exc:  # a domain refusal may be a Text, rendered in the member's language
        message = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Text) else None
        raise UserError(message if message is not None else str(exc)) from exc


# Discord's names for the permissions herbot's own calls need (as its settings page shows them).
PERMISSION_NAMES: dict[str, Text] = {
    "view_channel": _("View Channel"),
    "send_messages": _("Send Messages"),
    "send_messages_in_threads": _("Send Messages in Threads"),
    "create_public_threads": _("Create Public Threads"),
    "manage_threads": _("Manage Threads"),
    "embed_links": _("Embed Links"),
    "attach_files": _("Attach Files"),
    "read_message_history": _("Read Message History"),
    "send_polls": _("Create Polls"),
    "create_events": _("Create Events"),
    "manage_events": _("Manage Events"),
    "mute_members": _("Mute Members"),
    "manage_channels": _("Manage Channels"),
    "move_members": _("Move Members"),
}
MISSING_PERMISSIONS, MISSING_ACCESS = 50013, 50001  # Discord's 403 codes for a bot's own call


class BotMissingPermissions(UserError):
    """Discord refused one of herbot's own calls (403): it lacks ``permissions`` at ``where``."""

    def __init__(self, where: str | Text, permissions: Sequence[str]) -> None:
        self.where = where
        self.permissions = tuple(permissions)
        names = [_permission(p) for p in permissions]
        super().__init__(
            _n(
                "herbot needs {permissions} in {where} for that: ask a server admin to allow "
                "it there, then try again.",
                "herbot needs {permissions} in {where} for that: ask a server admin to allow "
                "them there, then try again.",
                len(names),
                permissions=Listed(names, wrap="**{}**"),
                where=where,
            )
        )


def _permission(name: str) -> Text | str:
    return PERMISSION_NAMES.get(name) or name.replace("_", " ").title()


def place(target: object) -> str | Text:
    """How a refusal names where herbot lacks a permission: a channel's mention, or the server.

    A thread names its channel: threads take their permissions from it, and that is where a
    server admin changes them (the thread itself may be gone by the time this is read).
    """
    if isinstance(target, discord.Guild):
        return _("this server")
    if isinstance(target, discord.Thread):
        return f"<#{target.parent_id}>"
    mention = getattr(target, "mention", None)
    if isinstance(mention, str):
        return mention
    channel_id = getattr(target, "id", None)
    return f"<#{channel_id}>" if channel_id else _("this channel")


def send_permission(channel: object) -> str:
    """What posting in ``channel`` needs: Send Messages, or Send Messages in Threads."""
    kind = getattr(channel, "type", None)
    threads = (
        discord.ChannelType.public_thread,
        discord.ChannelType.private_thread,
        discord.ChannelType.news_thread,
    )
    return "send_messages_in_threads" if kind in threads else "send_messages"


@contextlib.contextmanager
def bot_call(where: object, *permissions: str) -> Iterator[None]:
    """Discord's refusal of the call inside (a 403 for a permission herbot lacks) becomes the
    member's answer: the permissions that call needs, and where (:func:`place`).

    Every command that posts, opens a thread or creates an event wraps that call in this, so
    a refusal reads the same everywhere; what the command made for it is its own to undo
    (it sees :class:`BotMissingPermissions`, a :class:`UserError`). A 403 for anything else
    (a member who blocks DMs) stays what it was.
    """
    try:
        yield
    except discord.Forbidden as exc:
        if exc.code not in (MISSING_PERMISSIONS, MISSING_ACCESS):
            raise
        needed = list(permissions)
        if exc.code == MISSING_ACCESS and "view_channel" not in needed:
            needed.insert(0, "view_channel")  # it cannot even see the channel
        raise BotMissingPermissions(place(where), needed) from exc


class NotModerator(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Only moderators can do that: you need the server's moderator role "
                "or the Manage Server permission."
            )
        )


def error_id() -> str:
    return secrets.token_hex(4)


def _said(error: BaseException, locales: Locales) -> str:
    """What ``error`` says, in ``locales`` when it carries a :class:`Text`."""
    args = error.args
    if len(args) == 1 and isinstance(args[0], Text):
        return args[0].render(locales)
    return str(error)


def describe(error: Exception, locales: Locales = None) -> str | None:
    """The message for a user mistake (in ``locales``: the member's, then the server's), or
    None if the error is unexpected."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserError):
        error = error.original
    if isinstance(error, UserError | NotModerator):
        return _said(error, locales)
    if isinstance(error, app_commands.CommandOnCooldown):
        return render(
            _("Slow down: try again in {seconds} s.", seconds=round(error.retry_after)), locales
        )
    if isinstance(error, app_commands.MissingPermissions | app_commands.BotMissingPermissions):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return render(_("This command only works in a server."), locales)
    if isinstance(error, app_commands.TransformerError):
        value = truncate(repr(error.value), 100)
        cause = error.__cause__
        why = _said(cause, locales) if cause else render(_("check the value"), locales)
        return render(_("I couldn't understand {value}: {why}.", value=value, why=why), locales)
    if isinstance(error, app_commands.CheckFailure):
        return _said(error, locales) or render(_("You can't use this command here."), locales)
    original = getattr(error, "original", error)
    if isinstance(original, discord.Forbidden) and original.code in (
        MISSING_PERMISSIONS,
        MISSING_ACCESS,
    ):  # a call no bot_call() named: say so, without an error id to report
        return render(
            _(
                "Discord refused herbot a permission it needs here for that ({reason}): ask a "
                "server admin to check herbot's permissions in this channel, then try again.",
                reason=original.text or "Missing Permissions",
            ),
            locales,
        )
    return None


async def reply_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """Answer the interaction ephemerally whether or not it was already acknowledged.

    The content is cut to Discord's limit: a refusal that quotes a long input must still
    arrive (Discord rejects the whole message otherwise, and the member sees nothing).
    """
    content = truncate(content, MESSAGE_LIMIT)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


async def report(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """Reply to ``error`` the way every command and component does."""
    locales = member_locales(interaction)
    message = describe(error, locales)
    if message is not None:
        interactions.errored(interaction, error, interactions.REFUSED)
    else:
        eid = error_id()
        original = getattr(error, "original", error)
        log.error(
            "unexpected error %s in %s", eid, where, exc_info=original, extra={"error_id": eid}
        )
        interactions.errored(interaction, original, interactions.ERROR)
        message = render(
            _(
                "Something went wrong on my side (error id `{eid}`). "
                "Try again; if it keeps happening, tell a moderator that id.",
                eid=eid,
            ),
            locales,
        )
    await reply_ephemeral(interaction, message)


async def guarded(interaction: discord.Interaction, work: Awaitable[object], where: str) -> None:
    """Run a component's callback; errors get the same ephemeral reply as commands.

    discord.py sends a DynamicItem's errors to a throwaway view's ``on_error`` that only logs,
    so buttons and modals route theirs through here.
    """
    try:
        await work
    except Exception as error:  # user mistakes are answered; anything else gets an id
        await report(interaction, error, where)
    else:
        interactions.finished(interaction, interactions.OK)


class HerbotTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        name = interaction.command.qualified_name if interaction.command else "?"
        await report(interaction, error, f"/{name}")
