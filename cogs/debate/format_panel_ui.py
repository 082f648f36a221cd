"""The panel's lines for a debate run in a format: the speech, the next speaker, POIs.

:mod:`cogs.debate.panel_ui` draws the panel; for a formatted debate it takes its status and
order lines from here. Read at a glance: which speech of how many and its role, who holds
the floor, the time left as a live timestamp, when points of information open and close
(protected time) with the speech's count, and who speaks next (the role, and the first
member waiting on that side).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.presentation import truncate
from bot.timeparse import discord_timestamp as ts
from cogs.debate import format_machine, machine
from cogs.debate.debates import Debate, Waiting
from cogs.debate.formats import Format


@dataclass(frozen=True, slots=True)
class FormatView:
    """What the panel needs to draw a formatted debate (read by the cog, drawn here)."""

    fmt: Format
    pois: Mapping[int, Mapping[str, int]] = field(default_factory=dict)  # poi_store.counts
    pending_poi_user: int | None = None


def poi_count_text(counts: Mapping[str, int]) -> str:
    accepted, declined = counts.get("accepted", 0), counts.get("declined", 0)
    return f"{accepted} accepted, {declined} declined"


def phase_line(debate: Debate, fmt: Format) -> str:
    state = debate.state
    paused = " — **paused**" if state.paused else ""
    if state.phase == "prep":
        return f"**Phase:** Preparation (the pre-debate vote is open){paused}"
    if state.phase == "speech" and state.speech_index is not None:
        return f"**Phase:** {format_machine.speech_title(fmt, state.speech_index)}{paused}"
    return f"**Phase:** {machine.TITLES[state.phase]}{paused}"


def poi_line(debate: Debate, view: FormatView) -> str | None:
    fmt, state = view.fmt, debate.state
    speech = format_machine.current_speech(fmt, state)
    if speech is None or not fmt.takes_pois:
        return None
    if not speech.poi:
        return "**Points of information:** not taken in this speech"
    counts = view.pois.get(state.speech_index or 0, {})
    window = format_machine.poi_window(fmt, state)
    when = (
        f"open {ts(window[0], 'T')}–{ts(window[1], 'T')}"
        if window
        else f"open after the first {fmt.poi_protected_seconds} s, "
        f"not in the last {fmt.poi_protected_seconds} s"
    )
    waiting = f" · waiting: <@{view.pending_poi_user}>" if view.pending_poi_user else ""
    return f"**Points of information:** {when} · {poi_count_text(counts)}{waiting}"


def next_line(debate: Debate, fmt: Format, speakers: list[Waiting]) -> str:
    nxt = format_machine.upcoming(fmt, debate.state)
    if nxt is None:
        if debate.state.phase in ("post_vote", "finished"):
            return "**Next:** the result"
        return "**Next:** the post-debate vote"
    speech = fmt.speech(nxt)
    first = next((e for e in speakers if e.side == speech.side), None)
    who = f"<@{first.user_id}> (first waiting)" if first else "nobody waiting yet"
    side = format_machine.SIDE_LABELS[speech.side]
    return f"**Next:** {speech.title} ({side}) — {who}"


def order_text(debate: Debate, fmt: Format) -> str:
    state = debate.state
    steps = ["Pre-debate vote"] + (["Preparation"] if fmt.prep_seconds else [])
    steps += [s.title.split(" (")[0] for s in fmt.speeches] + ["Post-debate vote"]
    current = {
        "pre_vote": 0,
        "prep": 1,
        "post_vote": len(steps) - 1,
    }.get(state.phase)
    if state.phase == "speech" and state.speech_index is not None:
        current = (2 if fmt.prep_seconds else 1) + state.speech_index
    return truncate(
        " → ".join(f"**{s}**" if i == current else s for i, s in enumerate(steps)), 1000
    )


def format_line(fmt: Format) -> str:
    return f"**Format:** {fmt.name}"


def status_lines(
    debate: Debate, view: FormatView, speakers: list[Waiting], floor: str, time: str
) -> str:
    lines = [
        format_line(view.fmt),
        phase_line(debate, view.fmt),
        f"**Floor:** {floor}",
        f"**Time left:** {time}",
    ]
    poi = poi_line(debate, view)
    if poi:
        lines.append(poi)
    if debate.state.phase != "finished":
        lines.append(next_line(debate, view.fmt, speakers))
    return "\n".join(lines)


def summary_text(fmt: Format, pois: Mapping[int, Mapping[str, int]]) -> str | None:
    """Points of information per speech, posted with the result (None: nothing to say)."""
    if not fmt.takes_pois:
        return None
    lines = [
        f"• {speech.title}: {poi_count_text(pois.get(i, {}))}"
        for i, speech in enumerate(fmt.speeches)
        if speech.poi
    ]
    return truncate("**Points of information**\n" + "\n".join(lines), 2000)
