"""JSON transcripts, schema ``herbot.transcript/1`` (documented in docs/threads.md).

Streamed: the document is written piece by piece, never built whole in memory.
"""

from __future__ import annotations

import json

from cogs.threads.transcripts.exporters import Entry, Event, Header

SCHEMA = "herbot.transcript/1"


def entry_object(entry: Entry) -> dict[str, object]:
    return {
        "id": str(entry.message_id),
        # A member who opted out is not identified: no id, only the placeholder name.
        "author": {
            "id": None if entry.redacted else str(entry.author_id),
            "name": entry.author_name,
        },
        "created_at": entry.created_at,
        "reply_to": str(entry.reply_to) if entry.reply_to else None,
        "attachments": [
            {"filename": a.filename, "size": a.size, "content_type": a.content_type}
            for a in entry.attachments
        ],
        "embeds": [{"title": t} for t in entry.embed_titles],
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
