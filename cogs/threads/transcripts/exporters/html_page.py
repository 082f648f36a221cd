"""HTML transcripts: one standalone page that looks like the conversation (inline CSS, no
scripts; the only remote pieces are images whose Discord links were kept).

Light and dark follow the reader's system (``prefers-color-scheme``). Every piece of user
text goes through ``html.escape``, every kept URL must be ``https:`` to become a link or an
image. Each message is an ``<article class="msg">`` with ``data-message-id``: an avatar
(the author's initials on a colour of their id), the name and time, a reply preview (the
quoted text kept at the time), the text, a forwarded snapshot, a poll with its bars, the
Components V2 text, embeds, images inline and other files as links, stickers and reactions.
Edited messages carry an "edited" mark and their earlier versions in a ``<details>`` block;
deleted and redacted ones a tombstone.
"""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from bot.presentation import plural
from cogs.threads.records import Attachment, display_time, emoji_image, emoji_label
from cogs.threads.transcripts.exporters import Entry, Event, Header, SavedFile, human_size
from cogs.threads.transcripts.exporters.markdown import EVENT_TEXT

AVATAR_COLOURS = ("#5865f2", "#3ba55c", "#faa61a", "#ed4245", "#eb459e", "#00a8fc", "#9b59b6")

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
.msg { display: grid; grid-template-columns: 2.5rem 1fr; column-gap: .75rem; }
.msg > .body { min-width: 0; }
.avatar { width: 2.5rem; height: 2.5rem; border-radius: 50%; color: #fff; font-weight: 600;
  display: flex; align-items: center; justify-content: center; font-size: .95rem;
  grid-row: span 2; user-select: none; }
.reply .quoted { color: var(--muted); }
.forwarded, .poll, .cv2, .embed { background: var(--card); border: 1px solid var(--line);
  border-radius: .4rem; padding: .4rem .6rem; margin-top: .3rem; }
.forwarded { border-left: 3px solid var(--muted); }
.forwarded .origin { font-size: .8rem; color: var(--muted); }
.embed { border-left: 4px solid var(--accent); }
.embed .title { font-weight: 600; } .embed .field-name { font-weight: 600; font-size: .85rem; }
.embed .footer { font-size: .8rem; color: var(--muted); }
.embed img, .gallery img { max-width: 100%; max-height: 20rem; border-radius: .3rem;
  margin-top: .3rem; display: block; }
.cv2 { white-space: pre-wrap; border-left: 3px solid var(--accent); }
.poll .question { font-weight: 600; }
.poll .answer { position: relative; margin: .2rem 0; padding: .1rem .4rem; border-radius: .25rem;
  border: 1px solid var(--line); overflow: hidden; }
.poll .bar { position: absolute; inset: 0 auto 0 0; background: var(--accent); opacity: .18; }
.poll .answer span { position: relative; }
.poll .winner { font-weight: 600; }
.poll .state { font-size: .8rem; color: var(--muted); }
.stickers, .reactions { display: flex; flex-wrap: wrap; gap: .3rem; margin-top: .3rem;
  padding: 0; list-style: none; }
.reactions li, .stickers li { background: var(--card); border: 1px solid var(--line);
  border-radius: 1rem; padding: 0 .5rem; font-size: .9rem; }
.reactions img { height: 1.1em; vertical-align: -.2em; }
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
        head = (
            f'<article class="msg" id="m{mid}" data-message-id="{mid}" '
            f'data-kind="{escape(entry.kind)}">'
        )
        permalink = f'<a href="#m{mid}">{_time(entry.created_at)}</a>'
        if entry.deleted_at:
            return (
                f'{head}{_avatar(entry.author_name, entry.author_id)}<div class="body">'
                f'<div class="meta"><span class="author">{escape(entry.author_name)}</span>'
                f"{permalink}</div>"
                f'<div class="deleted">Message deleted{_DOWN if entry.deleted_while_down else ""} '
                f"{_time(entry.deleted_at)}</div>"
                "</div></article>\n"
            )
        if entry.redacted:
            return (
                f'{head}{_avatar("?", 0)}<div class="body">'
                f'<div class="meta">{permalink}</div>'
                '<div class="redacted">Message redacted: the author opted out of recording.'
                "</div></div></article>\n"
            )
        parts = [head, _avatar(entry.author_name, entry.author_id), '<div class="body">']
        if entry.reply_to:
            who = escape(entry.reply_author or "a message not kept")
            quoted = ""
            if entry.reply_content:
                text = " ".join(entry.reply_content.split())
                more = "…" if len(text) > 200 else ""
                quoted = f' <span class="quoted">{escape(text[:200])}{more}</span>'
            parts.append(
                f'<div class="reply">↪ <a href="#m{entry.reply_to}">{who}</a>{quoted}</div>'
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
        if entry.content:
            parts.append(f'<div class="content">{escape(entry.content)}</div>')
        if entry.forwarded:
            parts.append(_forwarded(entry.forwarded))
        if entry.poll:
            parts.append(_poll(entry.poll))
        if entry.components:
            parts.append(f'<div class="cv2">{escape(entry.components)}</div>')
        parts += [_embed(e) for e in entry.embeds]
        parts.append(_attachments(entry.attachments, entry.saved))
        if entry.stickers:
            items = "".join(
                f'<li data-sticker-id="{escape(s.get("id", ""))}">'
                f"🏷 {escape(s.get('name', ''))}</li>"
                for s in entry.stickers
            )
            parts.append(f'<ul class="stickers">{items}</ul>')
        if entry.reactions:
            parts.append(_reactions(entry.reactions))
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
        parts.append("</div></article>\n")
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


def _safe_url(url: Any) -> str | None:
    """Only https links become links or images (no javascript:, data: or file: urls)."""
    return escape(url, quote=True) if isinstance(url, str) and url.startswith("https://") else None


def _initials(name: str) -> str:
    words = [w for w in name.replace("_", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2]) or name[:1] or "?"
    return letters.upper()


def _avatar(name: str, author_id: int) -> str:
    colour = AVATAR_COLOURS[author_id % len(AVATAR_COLOURS)] if author_id else "#747f8d"
    return (
        f'<div class="avatar" aria-hidden="true" style="background:{colour}">'
        f"{escape(_initials(name))}</div>"
    )


def _data_url(saved: SavedFile | None) -> str | None:
    """A saved file inlined in the page (it outlives Discord's link)."""
    if saved is None or saved.data is None:
        return None
    kind = saved.content_type or "application/octet-stream"
    if not all(c.isalnum() or c in "/.+-" for c in kind):
        kind = "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(saved.data).decode('ascii')}"


def _attachments(attachments: list[Attachment], saved: dict[int, SavedFile] | None = None) -> str:
    images, files = [], []
    for i, a in enumerate(attachments):
        url = _data_url((saved or {}).get(i)) or _safe_url(a.url)
        label = f"{escape(a.filename)} ({human_size(a.size)}"
        label += f", {escape(a.content_type)})" if a.content_type else ")"
        if url and (a.content_type or "").startswith("image/"):
            images.append(
                f'<a href="{url}"><img src="{url}" alt="{escape(a.filename)}" loading="lazy"></a>'
            )
        elif url:
            download = f' download="{escape(a.filename)}"' if url.startswith("data:") else ""
            files.append(f'<li>Attachment: <a href="{url}"{download}>{label}</a></li>')
        else:
            files.append(f"<li>Attachment: {label}</li>")
    out = f'<div class="gallery">{"".join(images)}</div>' if images else ""
    if files:
        out += f'<ul class="attachments">{"".join(files)}</ul>'
    return out


def _embed(e: dict[str, Any]) -> str:
    colour = e.get("color")
    style = f' style="border-left-color:{escape(colour)}"' if isinstance(colour, str) else ""
    parts = [f'<div class="embed"{style}>']
    if author := e.get("author"):
        parts.append(f'<div class="embed-author">{escape(author.get("name", ""))}</div>')
    if e.get("title"):
        title = escape(e["title"])
        url = _safe_url(e.get("url"))
        linked = f'<a href="{url}">{title}</a>' if url else title
        parts.append(f'<div class="title">{linked}</div>')
    if e.get("description"):
        parts.append(f'<div class="content">{escape(e["description"])}</div>')
    for f in e.get("fields", []):
        parts.append(
            f'<div class="field"><div class="field-name">{escape(f.get("name", ""))}</div>'
            f'<div class="content">{escape(f.get("value", ""))}</div></div>'
        )
    for key in ("image", "thumbnail"):
        if url := _safe_url(e.get(key)):
            parts.append(f'<img src="{url}" alt="{key}" loading="lazy">')
    if footer := e.get("footer"):
        parts.append(f'<div class="footer">{escape(footer.get("text", ""))}</div>')
    parts.append("</div>")
    return "".join(parts)


def _poll(poll: dict[str, Any]) -> str:
    if "result" in poll:
        r = poll["result"]
        winner = r.get("winner")
        text = (
            f'winner: <span class="winner">{escape(str(r.get("winner_emoji") or ""))} '
            f"{escape(winner)}</span> "
            f"({r.get('winner_votes', 0)} of {r.get('total_votes', 0)} votes)"
            if winner
            else "no winner"
        )
        return (
            f'<div class="poll poll-result">📊 Poll closed: <span class="question">'
            f"{escape(r.get('question', ''))}</span> — {text}</div>"
        )
    answers = poll.get("answers", [])
    total = sum(int(a.get("votes", 0)) for a in answers) or 0
    rows = []
    for a in answers:
        votes = int(a.get("votes", 0))
        share = round(100 * votes / total) if total else 0
        win = (
            " winner"
            if poll.get("winner_id") is not None and a.get("id") == poll["winner_id"]
            else ""
        )
        emoji = f"{escape(emoji_label(a['emoji']))} " if a.get("emoji") else ""
        rows.append(
            f'<div class="answer{win}"><div class="bar" style="width:{share}%"></div>'
            f"<span>{emoji}{escape(a.get('text', ''))} · {plural(votes, 'vote')} "
            f"({share}%)</span></div>"
        )
    state = "Final results" if poll.get("finalized") else "Votes when last seen"
    if poll.get("multiple"):
        state += " · several answers allowed"
    return (
        f'<div class="poll"><div class="question">📊 {escape(poll.get("question", ""))}</div>'
        f'{"".join(rows)}<div class="state">{state}</div></div>'
    )


def _forwarded(f: dict[str, Any]) -> str:
    origin = f.get("origin") or {}
    where = f"#{escape(str(origin['channel_id']))}" if origin.get("channel_id") else "elsewhere"
    when = f" · {_time(f['created_at'])}" if f.get("created_at") else ""
    parts = [f'<div class="forwarded"><div class="origin">↱ Forwarded from {where}{when}</div>']
    if f.get("content"):
        parts.append(f'<div class="content">{escape(f["content"])}</div>')
    if f.get("components"):
        parts.append(f'<div class="cv2">{escape(f["components"])}</div>')
    parts += [_embed(e) for e in f.get("embeds", [])]
    parts.append(
        _attachments(
            [
                Attachment(
                    a.get("filename", ""),
                    int(a.get("size", 0)),
                    a.get("content_type"),
                    a.get("url"),
                )
                for a in f.get("attachments", [])
            ]
        )
    )
    for s in f.get("stickers", []):
        parts.append(f'<div class="sticker">🏷 {escape(s.get("name", ""))}</div>')
    parts.append("</div>")
    return "".join(parts)


def _reactions(reactions: list[tuple[str, int]]) -> str:
    items = []
    for emoji, count in reactions:
        image = emoji_image(emoji)
        label = escape(emoji_label(emoji))
        shown = f'<img src="{image}" alt="{label}">' if image else label
        items.append(f'<li data-emoji="{escape(emoji)}" title="{label}">{shown} {count}</li>')
    return f'<ul class="reactions">{"".join(items)}</ul>'
