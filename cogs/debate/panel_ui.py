"""The live debate panel, built with Components V2 (a LayoutView in one Container).

Why not an embed: the panel is read at a glance during a debate. Embed fields wrap in three
narrow columns on phones and cannot hold the buttons; a V2 container keeps, in reading order,
the phase, who holds the floor and the time left (a live Discord timestamp that counts down
on every member's screen without an edit), the speaker and question queues, and under them
the buttons they act on. One edit redraws it in place (``debate_cog`` coalesces edits to
Discord's edit rate for a channel).
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.presentation import truncate
from bot.timeparse import discord_timestamp as ts
from cogs.debate import format_machine, format_panel_ui, machine
from cogs.debate.debates import Debate, Waiting
from cogs.debate.embeds_ui import BLURPLE, clock
from cogs.debate.swing import LABELS
from cogs.debate.ui import MEMBER_ACTIONS, DebateControl

# Discord allows 4,000 characters of text in a V2 message; the motion, queues and order
# below stay far under it (five names per queue, questions cut to 90 characters).
QUEUE_SHOWN = 5
QUESTION_SHOWN = 90


def _names(entries: list[Waiting]) -> str:
    if not entries:
        return "nobody"
    names = ", ".join(f"<@{e.user_id}>" for e in entries[:QUEUE_SHOWN])
    more = len(entries) - QUEUE_SHOWN
    return names + (f" and {more} more" if more > 0 else "")


def _questions(entries: list[Waiting]) -> str:
    if not entries:
        return "nobody"
    lines = [
        f"{n}. <@{e.user_id}>" + (f" — “{truncate(e.text, QUESTION_SHOWN)}”" if e.text else "")
        for n, e in enumerate(entries[:QUEUE_SHOWN], 1)
    ]
    more = len(entries) - QUEUE_SHOWN
    return "\n".join(lines) + (f"\n… and {more} more" if more > 0 else "")


def floor_text(debate: Debate) -> str:
    state = debate.state
    if not state.speaker_id:
        return "nobody"
    if state.speaker_side == "question":
        return f"<@{state.speaker_id}> asks a question"
    return f"<@{state.speaker_id}> speaks {LABELS.get(state.speaker_side or '', '')}".rstrip()


def time_text(debate: Debate) -> str:
    state = debate.state
    if state.deadline and not state.paused:
        return f"ends {ts(state.deadline)} (at {ts(state.deadline, 'T')})"
    if state.remaining is not None:
        return f"paused with {clock(state.remaining)} left"
    return "no timer"


def status_text(debate: Debate) -> str:
    """Phase, floor and time left: the lines members look for first."""
    state = debate.state
    phase = machine.TITLES[state.phase] + (" — **paused**" if state.paused else "")
    return (
        f"**Phase:** {phase}\n**Floor:** {floor_text(debate)}\n**Time left:** {time_text(debate)}"
    )


def queues_text(speakers: list[Waiting], questions: list[Waiting]) -> str:
    for_q = [e for e in speakers if e.side == "for"]
    against_q = [e for e in speakers if e.side == "against"]
    return (
        f"**For queue ({len(for_q)}):** {_names(for_q)}\n"
        f"**Against queue ({len(against_q)}):** {_names(against_q)}\n"
        f"**Questions ({len(questions)}):**\n{_questions(questions)}"
    )


def order_text(debate: Debate) -> str:
    phase = debate.state.phase
    return " → ".join(
        f"**{machine.TITLES[p]}**" if p == phase else machine.TITLES[p] for p in machine.PHASES[:-1]
    )


def panel_layout(
    debate: Debate,
    speakers: list[Waiting],
    questions: list[Waiting],
    now: datetime,
    *,
    extend_seconds: int,
    formatted: format_panel_ui.FormatView | None = None,
) -> discord.ui.LayoutView:
    """The whole panel; a finished debate keeps its last state without buttons.

    ``formatted``: a debate run in a format (format_panel_ui.py); None or Oxford: classic.
    """
    state = debate.state
    finished = state.phase == "finished"
    status, order, member_actions = status_text(debate), order_text(debate), MEMBER_ACTIONS
    if formatted is not None and format_machine.is_classic(formatted.fmt.id):
        status = f"{format_panel_ui.format_line(formatted.fmt)}\n{status}"
    elif formatted is not None:
        status = format_panel_ui.status_lines(
            debate, formatted, speakers, floor_text(debate), time_text(debate)
        )
        order = format_panel_ui.order_text(debate, formatted.fmt)
        if formatted.fmt.takes_pois:
            member_actions = (*MEMBER_ACTIONS[:2], "poi", *MEMBER_ACTIONS[2:])
    children: list[discord.ui.Item[discord.ui.LayoutView]] = [
        discord.ui.TextDisplay(f"## Debate #{debate.id}\n**{truncate(debate.motion, 300)}**"),
        discord.ui.Separator(),
        discord.ui.TextDisplay(status),
        discord.ui.Separator(),
        discord.ui.TextDisplay(queues_text(speakers, questions)),
        discord.ui.Separator(),
        discord.ui.TextDisplay(f"-# Order: {order}"),
    ]
    if not finished:
        members = discord.ui.ActionRow()
        for action in member_actions:
            members.add_item(DebateControl(debate.id, action, row=None))
        moderators = discord.ui.ActionRow()
        for action in ("advance", "skip", "call", "resume" if state.paused else "pause", "extend"):
            label = f"Extend +{extend_seconds}s" if action == "extend" else None
            if action == "skip" and state.phase == "prep":
                label = "End preparation"
            moderators.add_item(DebateControl(debate.id, action, label, row=None))
        children += [
            members,
            moderators,
            discord.ui.TextDisplay("-# First row: everyone. Second row: moderators only."),
        ]
    colour = (
        discord.Colour.dark_grey()
        if finished
        else discord.Colour.orange()
        if state.paused
        else BLURPLE
    )
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(discord.ui.Container(*children, accent_colour=colour))
    return view
