"""What members see of a poll's lifecycle: the role's ping, the reminder, scheduled polls.

A ping may reach the poll's role and nobody else: :func:`role_only` is the one
``AllowedMentions`` herbot sends with it (the bot's default, ``AllowedMentions.none()``,
covers every other message), so a question quoting ``@everyone`` or another role pings no one.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.presentation import CHOICE_NAME_LIMIT, plain, truncate
from bot.timeparse import discord_timestamp as ts
from cogs.polls.lifecycle import Schedule
from cogs.polls.polls import Poll


def role_only(role_id: int) -> discord.AllowedMentions:
    """Mention this role and nothing else: no @everyone, no member, no replied-to author."""
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(role_id)], replied_user=False
    )


def opening_ping(poll: Poll) -> dict[str, object]:
    """The content and mentions of a new poll's message: its role is pinged, if it has one."""
    if poll.kind != "poll" or poll.role_id is None:
        return {}
    return {
        "content": f"<@&{poll.role_id}> poll #{poll.id} is open: vote below.",
        "allowed_mentions": role_only(poll.role_id),
    }


def jump_url(poll: Poll) -> str:
    return f"https://discord.com/channels/{poll.guild_id}/{poll.channel_id}/{poll.message_id}"


def reminder_text(poll: Poll, closes_at: datetime) -> str:
    return (
        f"<@&{poll.role_id}> poll #{poll.id} closes {ts(closes_at)}: "
        f"vote now if you have not yet. {jump_url(poll)}"
    )


def _when(schedule: Schedule) -> str:
    assert schedule.next_run_at is not None
    again = "" if schedule.repeat == "once" else f", then {schedule.repeat}"
    return f"opens {ts(schedule.next_run_at, 'f')}{again}"


def schedule_line(schedule: Schedule) -> str:
    return (
        f"**#{schedule.id}** {_when(schedule)} in <#{schedule.channel_id}> — "
        f"{truncate(schedule.question, 120)}"
    )


def schedule_choice_name(schedule: Schedule) -> str:
    assert schedule.next_run_at is not None
    moment = schedule.next_run_at.strftime("%Y-%m-%d %H:%M UTC")
    name = f"#{schedule.id} {schedule.repeat}, next {moment}: {plain(schedule.question)}"
    return truncate(name, CHOICE_NAME_LIMIT)


def scheduled_text(schedule_id: int, schedule: Schedule) -> str:
    return f"Scheduled poll #{schedule_id} {_when(schedule)} in <#{schedule.channel_id}>."
