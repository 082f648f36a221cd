"""What a message holds beyond its text, as plain JSON values: forwards, polls, Components V2,
embeds, stickers, reactions.

The recording cog passes discord.py's objects in (``Message.message_snapshots``,
``Message.poll``, ``Message.components``, ``Message.embeds``, ...); this module reads them by
their attributes only (no discord import), so each walker is tested with plain objects and
the live path, the backfill and the catch-up after downtime all keep the same shape. Every
string passes :func:`bot.text.clean`. The shapes are the ``herbot.transcript/2`` JSON
(docs/threads.md), stored as is in ``recorded_messages``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.text import clean
from cogs.threads.records import Attachment, stamp

# discord.ComponentType values (ints, so no discord import is needed to read them).
ACTION_ROW, BUTTON, SELECT, SECTION, TEXT_DISPLAY, THUMBNAIL = 1, 2, 3, 9, 10, 11
MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER, LABEL = 12, 13, 14, 17, 18
SELECTS = (3, 5, 6, 7, 8)
# Discord's limits on what one message can carry: a payload bigger than these is cut.
MAX_COMPONENT_TEXT = 12_000
MAX_ITEMS = 40


def _text(value: Any, limit: int = 6000) -> str:
    return clean(str(value), limit) if value is not None else ""


def _opt(value: Any, limit: int = 6000) -> str | None:
    return _text(value, limit) if value else None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def attachments(items: Iterable[Any]) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(
            _text(a.filename, 300), _int(a.size), getattr(a, "content_type", None),
            _opt(getattr(a, "url", None), 2000),
        )
        for a in list(items)[:MAX_ITEMS]
    )  # fmt: skip


def embed(value: Any) -> dict[str, Any]:
    """An embed in full: title, description, url, colour, fields, author, footer, images."""
    out: dict[str, Any] = {}
    for key in ("title", "description", "url"):
        if text := _opt(getattr(value, key, None), 6000):
            out[key] = text
    colour = getattr(value, "colour", None) or getattr(value, "color", None)
    if colour is not None and getattr(colour, "value", None) is not None:
        out["color"] = f"#{int(colour.value):06x}"
    stamp_at = getattr(value, "timestamp", None)
    if isinstance(stamp_at, datetime):
        out["timestamp"] = stamp(stamp_at)
    fields = [
        {
            "name": _text(getattr(f, "name", ""), 256),
            "value": _text(getattr(f, "value", ""), 1024),
            "inline": bool(getattr(f, "inline", False)),
        }
        for f in list(getattr(value, "fields", None) or [])[:25]
    ]
    if fields:
        out["fields"] = fields
    for key in ("author", "footer"):
        part = getattr(value, key, None)
        name = _opt(getattr(part, "name", None) or getattr(part, "text", None), 2048)
        if part is not None and name:
            out[key] = {"name" if key == "author" else "text": name}
            if url := _opt(getattr(part, "url", None), 2000):
                out[key]["url"] = url
            if icon := _opt(getattr(part, "icon_url", None), 2000):
                out[key]["icon_url"] = icon
    for key in ("image", "thumbnail"):
        part = getattr(value, key, None)
        if url := _opt(getattr(part, "url", None), 2000):
            out[key] = url
    return out


def embeds(items: Iterable[Any]) -> tuple[dict[str, Any], ...]:
    """Embeds worth keeping (a poll_result's own embed is read by :func:`poll_result`)."""
    kept = []
    for e in list(items)[:10]:
        if getattr(e, "type", "rich") == "poll_result":
            continue
        obj = embed(e)
        if obj:
            kept.append(obj)
    return tuple(kept)


def stickers(items: Iterable[Any]) -> tuple[dict[str, str], ...]:
    return tuple(
        {"id": str(_int(s.id)), "name": _text(getattr(s, "name", ""), 100)}
        for s in list(items or [])[:3]
    )


def reactions(items: Iterable[Any]) -> tuple[tuple[str, int], ...]:
    """(emoji, count) a message already has (members not known)."""
    return tuple(
        (_text(r.emoji, 100), _int(r.count)) for r in list(items or [])[:MAX_ITEMS] if r.count
    )


def emoji_text(emoji: Any) -> str:
    """A reaction's emoji as stored: the unicode character, or ``<:name:id>``."""
    return _text(emoji, 100)


def _emoji(value: Any) -> str | None:
    return _opt(value, 100) if value else None


def poll(value: Any) -> dict[str, Any] | None:
    """A native poll: question, answers with votes, multiselect, expiry, finalized, winner."""
    if value is None:
        return None
    answers = []
    for a in list(getattr(value, "answers", None) or [])[:10]:
        answers.append(
            {
                "id": _int(a.id),
                "text": _text(getattr(a, "text", ""), 300),
                "emoji": _emoji(getattr(a, "emoji", None)),
                "votes": _int(getattr(a, "vote_count", 0)),
            }
        )
    expires = getattr(value, "expires_at", None)
    finalised = getattr(value, "is_finalised", None) or getattr(value, "is_finalized", None)
    victor = getattr(value, "victor_answer_id", None)
    return {
        "question": _text(getattr(value, "question", ""), 300),
        "answers": answers,
        "multiple": bool(getattr(value, "multiple", False)),
        "expires_at": stamp(expires) if isinstance(expires, datetime) else None,
        "finalized": bool(finalised()) if callable(finalised) else False,
        "total_votes": _int(getattr(value, "total_votes", 0)),
        "winner_id": _int(victor) if victor else None,
    }


def poll_result(embeds_of_message: Iterable[Any], poll_message_id: int | None) -> dict[str, Any]:
    """The result Discord posts when a poll ends (``MessageType.poll_result``): its embed's
    fields are ``poll_question_text``, ``victor_answer_text``, ``victor_answer_votes``,
    ``total_votes`` ..."""
    fields: dict[str, str] = {}
    for e in embeds_of_message:
        for f in getattr(e, "fields", None) or []:
            fields[_text(getattr(f, "name", ""), 100)] = _text(getattr(f, "value", ""), 300)
        break
    winner = fields.get("victor_answer_text")
    return {
        "result": {
            "poll_message_id": str(poll_message_id) if poll_message_id else None,
            "question": fields.get("poll_question_text", ""),
            "winner": winner or None,
            "winner_emoji": fields.get("victor_answer_emoji_name") or None,
            "winner_votes": _int(fields.get("victor_answer_votes")),
            "total_votes": _int(fields.get("total_votes")),
        }
    }


def components_text(items: Iterable[Any]) -> str | None:
    """Components V2 (and classic buttons and menus) walked into readable lines.

    Text displays as they read; a section's text then its accessory; a container's children
    (a separator becomes a rule); media galleries, files and thumbnails as their links;
    buttons as ``[label]`` (with the link of a link button), menus by their placeholder.
    """
    lines: list[str] = []
    for component in list(items or [])[:MAX_ITEMS]:
        _walk(component, lines, 0)
    text = "\n".join(line for line in lines).strip("\n")
    return clean(text, MAX_COMPONENT_TEXT) if text.strip() else None


def _walk(c: Any, lines: list[str], depth: int) -> None:
    if depth > 6:
        return
    kind = _int(getattr(c, "type", 0))
    if kind == TEXT_DISPLAY:
        lines.append(_text(getattr(c, "content", "")))
    elif kind in (CONTAINER, SECTION, ACTION_ROW, LABEL):
        if kind == LABEL and (label := _opt(getattr(c, "label", None), 100)):
            lines.append(label)
        for child in list(getattr(c, "children", None) or [])[:MAX_ITEMS]:
            _walk(child, lines, depth + 1)
        if kind == LABEL and (inner := getattr(c, "component", None)) is not None:
            _walk(inner, lines, depth + 1)
        if kind == SECTION and (accessory := getattr(c, "accessory", None)) is not None:
            _walk(accessory, lines, depth + 1)
    elif kind == SEPARATOR:
        if getattr(c, "visible", True):
            lines.append("———")
    elif kind == BUTTON:
        label = _text(getattr(c, "label", None) or getattr(c, "emoji", None) or "button", 80)
        url = _opt(getattr(c, "url", None), 2000)
        lines.append(f"[{label}]({url})" if url else f"[{label}]")
    elif kind in SELECTS:
        lines.append(f"[{_text(getattr(c, 'placeholder', None) or 'menu', 150)} ▾]")
    elif kind in (THUMBNAIL, FILE):
        media = getattr(c, "media", None)
        url = _opt(getattr(media, "url", None), 2000)
        name = _opt(getattr(c, "name", None) or getattr(c, "description", None), 300)
        if url or name:
            lines.append(f"🖼 {name or ''} {url or ''}".strip())
    elif kind == MEDIA_GALLERY:
        for item in list(getattr(c, "items", None) or [])[:10]:
            media = getattr(item, "media", None)
            url = _opt(getattr(media, "url", None) or media, 2000)
            if url:
                lines.append(f"🖼 {url}")


def forwarded(snapshots: Iterable[Any], reference: Any) -> dict[str, Any] | None:
    """A forward's snapshot (the message as forwarded) with its origin, or None."""
    snapshot = next(iter(snapshots or []), None)
    if snapshot is None:
        return None
    created = getattr(snapshot, "created_at", None)
    origin = {
        "guild_id": str(reference.guild_id) if getattr(reference, "guild_id", None) else None,
        "channel_id": (
            str(reference.channel_id) if getattr(reference, "channel_id", None) else None
        ),
        "message_id": (
            str(reference.message_id) if getattr(reference, "message_id", None) else None
        ),
    }
    return {
        "origin": origin,
        "content": _text(getattr(snapshot, "content", "")),
        "created_at": stamp(created) if isinstance(created, datetime) else None,
        "attachments": [a.as_json() for a in attachments(getattr(snapshot, "attachments", []))],
        "embeds": list(embeds(getattr(snapshot, "embeds", []))),
        "stickers": list(stickers(getattr(snapshot, "stickers", []))),
        "components": components_text(getattr(snapshot, "components", [])),
    }
