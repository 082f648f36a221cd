"""JSON transcripts, schema ``herbot.transcript/2`` (documented in docs/threads.md).

Streamed: the document is written piece by piece, never built whole in memory. ``/2`` keeps
every key of ``/1`` with the same meaning (a reader of ``/1`` reads ``/2``; embeds gained
keys besides ``title``, attachments a ``url``) and adds what a message holds beyond its
text: ``kind``, ``reply``, ``forwarded``, ``poll``, ``components``, ``stickers``,
``reactions``. herbot has no import of transcripts, so nothing reads ``/1`` back.
"""

from __future__ import annotations

import json

from cogs.threads.transcripts.exporters import Entry, Event, Header

SCHEMA = "herbot.transcript/2"


def entry_object(entry: Entry) -> dict[str, object]:
    gone = bool(entry.deleted_at or entry.redacted)
    reply = None
    if entry.reply_to:
        reply = {
            "id": str(entry.reply_to),
            "author": {
                "id": str(entry.reply_author_id) if entry.reply_author_id else None,
                "name": entry.reply_author,
            },
            "content": entry.reply_content,  # as it was when the reply was kept
        }
    return {
        "id": str(entry.message_id),
        "kind": entry.kind,
        # A member who opted out is not identified: no id, only the placeholder name.
        "author": {
            "id": None if entry.redacted else str(entry.author_id),
            "name": entry.author_name,
        },
        "created_at": entry.created_at,
        "reply_to": str(entry.reply_to) if entry.reply_to else None,
        "reply": None if gone else reply,
        "attachments": [
            a.as_json() | {"saved_sha256": entry.saved[i].sha256 if i in entry.saved else None}
            for i, a in enumerate(entry.attachments)
        ],
        "embeds": entry.embeds,
        "forwarded": entry.forwarded,
        "poll": entry.poll,
        "components": entry.components,
        "stickers": entry.stickers,
        "reactions": [{"emoji": e, "count": n} for e, n in entry.reactions],
        "deleted_at": entry.deleted_at,
        "redacted": entry.redacted,
        "recovered": entry.recovered,
        "deleted_while_down": entry.deleted_while_down,
        "edited": entry.edited,
        "content": None if entry.deleted_at or entry.redacted else entry.content,
        "versions": [
            {"version": v.version, "content": v.content, "edited_at": v.edited_at}
            for v in entry.versions
        ],
    }


class JsonRenderer:
    def begin(self, header: Header) -> str:
        meta = {
            "schema": SCHEMA,
            "thread": {
                "id": str(header.channel_id),
                "guild_id": str(header.guild_id),
                "name": header.name,
                "recording_started_at": header.started_at,
                "recording_stopped_at": header.stopped_at,
            },
            "exported_at": header.exported_at,
            "range": {"from": header.range_from, "to": header.range_to},
            "total_messages": header.total,
            "part": header.part,
        }
        opening = json.dumps(meta, ensure_ascii=False)[:-1]  # keep the object open
        return opening + ', "items": [\n'

    def entry(self, entry: Entry, first: bool) -> str:
        item = {"type": "message", **entry_object(entry)}
        return ("" if first else ",\n") + json.dumps(item, ensure_ascii=False)

    def event(self, event: Event, first: bool) -> str:
        item = {
            "type": "event",
            "kind": event.kind,
            "detail": event.detail,
            "actor_id": str(event.actor_id) if event.actor_id else None,
            "at": event.at,
        }
        return ("" if first else ",\n") + json.dumps(item, ensure_ascii=False)

    def end(self, header: Header) -> str:
        return "\n]}\n"
