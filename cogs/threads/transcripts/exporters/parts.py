"""What a message holds beyond its text, as plain lines: shared by the Markdown and CSV
exports (the HTML page lays the same values out; JSON keeps them as they are stored)."""

from __future__ import annotations

from typing import Any

from cogs.threads.records import display_time, emoji_label


def poll_lines(poll: dict[str, Any]) -> list[str]:
    """``📊 question`` then one line per answer with its votes, or a poll_result's result."""
    if "result" in poll:
        r = poll["result"]
        if r.get("winner"):
            winner = f"{r.get('winner_emoji') or ''} {r['winner']}".strip()
            votes = f"{r.get('winner_votes', 0)} of {r.get('total_votes', 0)} votes"
            return [f"📊 Poll closed: “{r.get('question', '')}” — winner: {winner} ({votes})"]
        return [f"📊 Poll closed: “{r.get('question', '')}” — no winner"]
    state = "final results" if poll.get("finalized") else "votes when last seen"
    kind = ", several answers allowed" if poll.get("multiple") else ""
    lines = [f"📊 Poll: {poll.get('question', '')} ({state}{kind})"]
    winner_id = poll.get("winner_id")
    for a in poll.get("answers", []):
        emoji = f"{emoji_label(a['emoji'])} " if a.get("emoji") else ""
        mark = " ✓" if winner_id is not None and a.get("id") == winner_id else ""
        lines.append(f"  - {emoji}{a.get('text', '')}: {a.get('votes', 0)}{mark}")
    if poll.get("expires_at"):
        lines.append(f"  (ends {display_time(poll['expires_at'])})")
    return lines


def embed_lines(embed: dict[str, Any]) -> list[str]:
    lines = []
    if author := embed.get("author"):
        lines.append(f"🔗 {author.get('name', '')}")
    if embed.get("title"):
        title = embed["title"]
        lines.append(f"🔗 {title} <{embed['url']}>" if embed.get("url") else f"🔗 {title}")
    elif embed.get("url"):
        lines.append(f"🔗 <{embed['url']}>")
    if embed.get("description"):
        lines += [f"  {line}" for line in embed["description"].splitlines()]
    for f in embed.get("fields", []):
        lines.append(f"  {f.get('name', '')}: {f.get('value', '')}")
    for key in ("image", "thumbnail"):
        if embed.get(key):
            lines.append(f"  🖼 {embed[key]}")
    if footer := embed.get("footer"):
        lines.append(f"  — {footer.get('text', '')}")
    return lines


def forwarded_lines(forwarded: dict[str, Any]) -> list[str]:
    origin = forwarded.get("origin") or {}
    where = f"#{origin['channel_id']}" if origin.get("channel_id") else "another channel"
    when = f", {display_time(forwarded['created_at'])}" if forwarded.get("created_at") else ""
    lines = [f"↱ Forwarded from {where}{when}:"]
    if forwarded.get("content"):
        lines += [f"  {line}" for line in forwarded["content"].splitlines()]
    for a in forwarded.get("attachments", []):
        lines.append(f"  📎 {a.get('filename', '')}")
    for e in forwarded.get("embeds", []):
        lines += [f"  {line}" for line in embed_lines(e)]
    for s in forwarded.get("stickers", []):
        lines.append(f"  🏷 sticker: {s.get('name', '')}")
    if forwarded.get("components"):
        lines += [f"  {line}" for line in forwarded["components"].splitlines()]
    return lines


def sticker_text(sticker: dict[str, str]) -> str:
    return f"🏷 sticker: {sticker.get('name', '')} (id {sticker.get('id', '')})"


def reactions_text(reactions: list[tuple[str, int]]) -> str:
    return "  ".join(f"{emoji_label(e)} {n}" for e, n in reactions)
