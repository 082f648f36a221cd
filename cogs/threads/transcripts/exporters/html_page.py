"""HTML transcripts: one standalone page (inline CSS, no scripts, no remote assets).

Light and dark follow the reader's system (``prefers-color-scheme``). Every piece of user
text goes through ``html.escape``. Each message is an ``<article class="msg">`` with
``data-message-id``; edited messages carry an "edited" mark and their earlier versions in a
``<details>`` block.
"""

from __future__ import annotations

from html import escape

from bot.presentation import plural
from cogs.threads.records import display_time
from cogs.threads.transcripts.exporters import Entry, Event, Header, human_size
from cogs.threads.transcripts.exporters.markdown import EVENT_TEXT

STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e;
  --card: #f6f8fa; --line: #d1d9e0; --accent: #5865f2; --deleted: #b35900; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #1e1f22; --fg: #e6e6e6; --muted: #a0a4ab; --card: #2b2d31;
    --line: #3f4147; --accent: #8c95ff; --deleted: #f0a35e; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
header.transcript { border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
header.transcript h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
header.transcript p { color: var(--muted); margin: 0 0 1rem; font-size: .9rem; }
.msg { padding: .5rem .75rem; border-radius: .5rem; margin: .25rem 0; }
.msg:target { outline: 2px solid var(--accent); }
.meta { font-size: .85rem; color: var(--muted); }
.author { font-weight: 600; color: var(--fg); margin-right: .5rem; }
.edited { font-size: .75rem; color: var(--muted); border: 1px solid var(--line);
  border-radius: .25rem; padding: 0 .3rem; margin-left: .4rem; }
.reply { font-size: .85rem; color: var(--muted); border-left: 3px solid var(--line);
  padding-left: .5rem; margin-bottom: .2rem; }
.reply a, .meta a { color: var(--accent); text-decoration: none; }
.content { white-space: pre-wrap; overflow-wrap: anywhere; }
.attachments, .embeds { list-style: none; padding: 0; margin: .25rem 0 0; font-size: .9rem; }
.attachments li, .embeds li { background: var(--card); border: 1px solid var(--line);
  border-radius: .35rem; padding: .2rem .5rem; margin-top: .2rem; display: inline-block; }
details.history { margin-top: .3rem; font-size: .9rem; }
details.history summary { cursor: pointer; color: var(--muted); }
details.history blockquote { margin: .3rem 0 .3rem .5rem; padding-left: .5rem;
  border-left: 3px solid var(--line); white-space: pre-wrap; }
.deleted, .redacted { color: var(--deleted); font-style: italic; }
.event { text-align: center; color: var(--muted); font-size: .85rem; margin: .75rem 0; }
footer { color: var(--muted); font-size: .8rem; margin-top: 2rem; }
"""


_DOWN = " while herbot was down, found"  # a deletion catch-up inferred (not seen live)


def _time(stamp: str) -> str:
    return f'<time datetime="{escape(stamp)}">{escape(display_time(stamp))}</time>'


class HtmlRenderer:
    def begin(self, header: Header) -> str:
        title = header.name or str(header.channel_id)
        part = f" (part {header.part})" if header.part > 1 else ""
        rng = ""
        if header.range_from or header.range_to:
            rng = f" · range {escape(header.range_from or 'start')} – " + escape(
                header.range_to or "now"
            )
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="color-scheme" content="light dark">\n'
            f"<title>Transcript: {escape(title)}{part}</title>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
            '<header class="transcript">\n'
            f"<h1>Transcript: {escape(title)}{part}</h1>\n"
            f"<p>Recorded by herbot since {_time(header.started_at)} · "
            f"{plural(header.total, 'message')} · exported {_time(header.exported_at)}{rng}</p>\n"
            "</header>\n"
        )

    def entry(self, entry: Entry, first: bool) -> str:
        mid = entry.message_id
        head = f'<article class="msg" id="m{mid}" data-message-id="{mid}">'
        permalink = f'<a href="#m{mid}">{_time(entry.created_at)}</a>'
        if entry.deleted_at:
            return (
                f'{head}<div class="meta"><span class="author">{escape(entry.author_name)}</span>'
                f"{permalink}</div>"
                f'<div class="deleted">Message deleted{_DOWN if entry.deleted_while_down else ""} '
                f"{_time(entry.deleted_at)}</div></article>\n"
            )
        if entry.redacted:
            return (
                f'{head}<div class="meta">{permalink}</div>'
                '<div class="redacted">Message redacted: the author opted out of recording.'
                "</div></article>\n"
            )
        parts = [head]
        if entry.reply_to:
            who = escape(entry.reply_author or "a message not kept")
            parts.append(
                f'<div class="reply">↪ replying to <a href="#m{entry.reply_to}">{who}</a></div>'
            )
        edited = ""
        if entry.edited:
            last = entry.versions[-1].edited_at
            edited = (
                f'<span class="edited" title="last edited {escape(last or "")}">(edited)</span>'
            )
        if entry.recovered:
            edited += (
                '<span class="edited" title="fetched back after herbot was down">(recovered)</span>'
            )
        parts.append(
            f'<div class="meta"><span class="author" data-author-id="{entry.author_id}">'
            f"{escape(entry.author_name)}</span>{permalink}{edited}</div>"
        )
        parts.append(f'<div class="content">{escape(entry.content)}</div>')
        if entry.attachments:
            items = "".join(
                f"<li>Attachment: {escape(a.filename)} ({human_size(a.size)}"
                f"{', ' + escape(a.content_type) if a.content_type else ''})</li>"
                for a in entry.attachments
            )
            parts.append(f'<ul class="attachments">{items}</ul>')
        if entry.embed_titles:
            items = "".join(f"<li>Embed: {escape(t)}</li>" for t in entry.embed_titles)
            parts.append(f'<ul class="embeds">{items}</ul>')
        if entry.edited:
            earlier = plural(len(entry.versions) - 1, "earlier version")
            parts.append(f'<details class="history"><summary>{earlier}</summary>')
            for v in entry.versions[:-1]:
                label = "original" if v.version == 1 else f"edit {v.version - 1}"
                parts.append(
                    f"<div>{label}, {_time(v.edited_at or entry.created_at)}</div>"
                    f"<blockquote>{escape(v.content)}</blockquote>"
                )
            parts.append("</details>")
        parts.append("</article>\n")
        return "".join(parts)

    def event(self, event: Event, first: bool) -> str:
        text = EVENT_TEXT.get(event.kind, event.kind).format(detail=event.detail)
        return (
            f'<div class="event" data-kind="{escape(event.kind)}">— {escape(text)} · '
            f"{_time(event.at)} —</div>\n"
        )

    def end(self, header: Header) -> str:
        return (
            "<footer>Exported by herbot. Deleted messages are kept as tombstones without "
            "their content; members who opted out are redacted.</footer>\n"
            "</main>\n</body>\n</html>\n"
        )
