"""Markdown transcripts: readable in any editor and on GitHub."""

from __future__ import annotations

from cogs.threads.records import display_time
from cogs.threads.transcripts.exporters import Entry, Event, Header, human_size

EVENT_TEXT = {
    "renamed": "Thread renamed to “{detail}”",
    "archived": "Thread archived",
    "unarchived": "Thread unarchived",
    "locked": "Thread locked",
    "unlocked": "Thread unlocked",
    "recording_started": "Recording started",
    "recording_stopped": "Recording stopped",
}


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


class MarkdownRenderer:
    def begin(self, header: Header) -> str:
        part = f" (part {header.part})" if header.part > 1 else ""
        lines = [
            f"# Transcript: {header.name or header.channel_id}{part}",
            "",
            f"- Recorded since: {display_time(header.started_at)}",
            f"- Exported: {display_time(header.exported_at)}",
            f"- Messages: {header.total}",
        ]
        if header.range_from or header.range_to:
            lines.append(f"- Range: {header.range_from or 'start'} – {header.range_to or 'now'}")
        return "\n".join(lines) + "\n\n---\n\n"

    def entry(self, entry: Entry, first: bool) -> str:
        when = display_time(entry.created_at)
        anchor = f'<a id="m{entry.message_id}"></a>'
        if entry.deleted_at:
            how = " while herbot was down, found" if entry.deleted_while_down else ""
            return (
                f"{anchor}*{entry.author_name} — {when}: message deleted{how} "
                f"({display_time(entry.deleted_at)})*\n\n"
            )
        if entry.redacted:
            return f"{anchor}*{when}: message redacted (the author opted out of recording)*\n\n"
        edited = " *(edited)*" if entry.edited else ""
        edited += " *(recovered after downtime)*" if entry.recovered else ""
        out = [f"{anchor}**{entry.author_name}** — {when}{edited}"]
        if entry.reply_to:
            who = entry.reply_author or "a message not kept"
            out.append(f"↪ replying to [{who}](#m{entry.reply_to})")
        out.append("")
        out.append(entry.content)
        for a in entry.attachments:
            kind = f", {a.content_type}" if a.content_type else ""
            out.append(f"📎 `{a.filename}` ({human_size(a.size)}{kind})")
        for title in entry.embed_titles:
            out.append(f"🔗 {title}")
        if entry.edited:
            out.append("")
            out.append("<details><summary>Earlier versions</summary>")
            out.append("")
            for v in entry.versions[:-1]:
                label = "original" if v.version == 1 else f"edit {v.version - 1}"
                when_v = display_time(v.edited_at) if v.edited_at else when
                out.append(f"*{label}, {when_v}:*")
                out.append("")
                out.append(_quote_block(v.content))
                out.append("")
            out.append("</details>")
        return "\n".join(out) + "\n\n"

    def event(self, event: Event, first: bool) -> str:
        text = EVENT_TEXT.get(event.kind, event.kind).format(detail=event.detail)
        return f"*— {text} · {display_time(event.at)} —*\n\n"

    def end(self, header: Header) -> str:
        return ""
