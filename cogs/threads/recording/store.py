"""Recording's SQL: recording sessions, the recorder's writes, quarantine, privacy, retention.

No discord import: the cog turns discord objects into the plain values of
:mod:`cogs.threads.records`. Writes of
messages go through :class:`cogs.threads.recording.recorder.Recorder` (batched); this module
holds the SQL it runs and everything else that reads or changes recordings. Writers take the
:class:`~bot.db.Transaction` they run in and never commit; readers take any
:class:`~bot.db.Reader` (the database, committed data only, or a transaction).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import Reader, Record, Transaction
from cogs.threads.records import (
    REASONS,
    REDACTED_NAME,
    Recording,
    stamp,
)


def _recording(row: Record) -> Recording:
    return Recording(
        channel_id=row[0],
        guild_id=row[1],
        parent_id=row[2],
        name=row[3],
        reason=row[4],
        started_by=row[5],
        started_at=row[6],
        stopped_at=row[7],
        keep_unarchived=bool(row[8]),
        save_attachments=None if row[9] is None else bool(row[9]),
    )


_RECORDING_COLUMNS = (
    "channel_id, guild_id, parent_id, name, reason, started_by, started_at, stopped_at, "
    "keep_unarchived, save_attachments"
)

# --- SQL the recorder batches (executemany) ----------------------------------------------

# Only into a recording that still exists: a message queued while its transcript was purged
# is dropped instead of failing the whole batch on the foreign key.
INSERT_MESSAGE = (
    "INSERT INTO recorded_messages (message_id, channel_id, guild_id, author_id, author_name, "
    "created_at, reply_to, attachments, embeds, redacted, kind, forwarded, poll, components, "
    "stickers, reply_author_id, reply_author_name, reply_content) "
    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18 "
    "WHERE EXISTS (SELECT 1 FROM thread_recordings WHERE channel_id = ?2) "
    "ON CONFLICT (message_id) DO NOTHING"
)
# Version 1 only for a live (not deleted, not redacted) row: a late duplicate never revives text.
INSERT_FIRST_VERSION = (
    "INSERT INTO recorded_versions (message_id, version, content, edited_at) "
    "SELECT message_id, 1, ?, NULL FROM recorded_messages "
    "WHERE message_id = ? AND deleted_at IS NULL AND redacted = 0 "
    "ON CONFLICT (message_id, version) DO NOTHING"
)
# An edit becomes the next version, unless the text did not change (embeds unfurling also
# fire edit events) or the message is unknown, deleted or redacted.
INSERT_EDIT = (
    "INSERT INTO recorded_versions (message_id, version, content, edited_at) "
    "SELECT v.message_id, v.version + 1, :content, :edited_at "
    "FROM recorded_versions v JOIN recorded_messages m USING (message_id) "
    "WHERE v.message_id = :message_id AND m.deleted_at IS NULL AND m.redacted = 0 "
    "AND v.version = (SELECT MAX(version) FROM recorded_versions WHERE message_id = :message_id) "
    "AND v.content IS DISTINCT FROM :content "
    "ON CONFLICT (message_id, version) DO NOTHING"
)
# What a message holds besides its versions: cleared by a tombstone and by a redaction.
_CLEARED = (
    "attachments = '[]', embeds = '[]', forwarded = NULL, poll = NULL, components = NULL, "
    "stickers = '[]', reply_author_id = NULL, reply_author_name = NULL, reply_content = NULL"
)
TOMBSTONE = (
    f"UPDATE recorded_messages SET deleted_at = ?, {_CLEARED} "
    "WHERE message_id = ? AND deleted_at IS NULL"
)
DELETE_REACTIONS_OF_MESSAGE = "DELETE FROM recorded_reactions WHERE message_id = ?"
DELETE_FILE_LINKS = "DELETE FROM recorded_attachment_files WHERE message_id = ?"
# A saved file goes with the last recorded message linking to it.
DELETE_UNLINKED_FILES = (
    "DELETE FROM recorded_files WHERE NOT EXISTS (SELECT 1 FROM recorded_attachment_files l "
    "WHERE l.guild_id = recorded_files.guild_id AND l.sha256 = recorded_files.sha256)"
)
# What a message has when it is kept or fetched again (backfill, catch-up): Discord gives
# counts, not members. The members herbot saw react live keep their rows; the rest of the
# count is "members not known" (user_id 0), so fetching a message again never counts twice.
INSERT_REACTION_COUNT = (
    "INSERT INTO recorded_reactions (message_id, emoji, user_id, count) "
    "SELECT m.message_id, :emoji, 0, CASE WHEN :count > k.known THEN :count - k.known ELSE 0 END "
    "FROM recorded_messages m, (SELECT COUNT(*) AS known FROM recorded_reactions "
    "WHERE message_id = :message_id AND emoji = :emoji AND user_id <> 0) k "
    "WHERE m.message_id = :message_id AND m.deleted_at IS NULL AND m.redacted = 0 "
    "ON CONFLICT (message_id, emoji, user_id) DO UPDATE SET count = excluded.count"
)
# Live reactions, one row per member: a repeated add changes nothing.
ADD_REACTION = (
    "INSERT INTO recorded_reactions (message_id, emoji, user_id, count) "
    "SELECT message_id, :emoji, :user_id, 1 FROM recorded_messages WHERE message_id = :message_id "
    "AND deleted_at IS NULL AND redacted = 0 "
    "ON CONFLICT (message_id, emoji, user_id) DO NOTHING"
)
# A removal of a reaction kept only as a count (it was there before the message was kept)
# takes one off that count; otherwise the member's own row goes.
UNCOUNT_REACTION = (
    "UPDATE recorded_reactions SET count = count - 1 "
    "WHERE message_id = :message_id AND emoji = :emoji AND user_id = 0 AND count > 0 "
    "AND NOT EXISTS (SELECT 1 FROM recorded_reactions r WHERE r.message_id = :message_id "
    "AND r.emoji = :emoji AND r.user_id = :user_id)"
)
REMOVE_REACTION = (
    "DELETE FROM recorded_reactions WHERE message_id = :message_id AND emoji = :emoji "
    "AND user_id = :user_id"
)
# A moderator cleared one emoji's reactions, or all of them.
CLEAR_EMOJI_REACTIONS = (
    "DELETE FROM recorded_reactions WHERE message_id = :message_id AND emoji = :emoji"
)
CLEAR_REACTIONS = "DELETE FROM recorded_reactions WHERE message_id = :message_id"
# A poll's votes or final result, or a card's Components V2 text, changed on Discord: the
# kept message shows its latest state (the text keeps its versions; these do not).
UPDATE_HOLDINGS = (
    "UPDATE recorded_messages SET poll = COALESCE(:poll, poll), "
    "components = COALESCE(:components, components) "
    "WHERE message_id = :message_id AND deleted_at IS NULL AND redacted = 0"
)
DELETE_VERSIONS = "DELETE FROM recorded_versions WHERE message_id = ?"
# A deleted message's words leave the quarantine too (the member took them back).
DELETE_QUARANTINED = "DELETE FROM recorded_quarantine WHERE message_id = ? AND kind <> 'delete'"
INSERT_EVENT = (
    "INSERT INTO thread_events (channel_id, kind, detail, actor_id, at) "
    "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM thread_recordings WHERE channel_id = ?)"
)


# --- the quarantine: items the database refused ------------------------------------------


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A queued item the database refused, kept with the error id a moderator is shown."""

    error_id: str
    kind: str  # message, edit, delete or event
    channel_id: int | None
    guild_id: int | None
    message_id: int | None
    member_id: int | None  # the author (message, edit, delete) or the actor (event)
    happened_at: str
    item: str  # the queued item as ASCII JSON
    error: str


async def quarantine(tx: Transaction, held: Quarantined, *, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO recorded_quarantine (error_id, kind, channel_id, guild_id, message_id, "
        "member_id, happened_at, item, error, quarantined_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            held.error_id,
            held.kind,
            held.channel_id,
            held.guild_id,
            held.message_id,
            held.member_id,
            held.happened_at,
            held.item,
            held.error,
            stamp(now),
        ),
    )


async def message_owner(db: Reader, message_id: int) -> tuple[int, int, int] | None:
    """(channel, guild, author) of a recorded (or quarantined) message, if known."""
    row = await db.fetchone(
        "SELECT channel_id, guild_id, author_id FROM recorded_messages WHERE message_id = ?",
        (message_id,),
    )
    if row is None:
        row = await db.fetchone(
            "SELECT channel_id, guild_id, member_id FROM recorded_quarantine "
            "WHERE message_id = ? AND kind = 'message' LIMIT 1",
            (message_id,),
        )
    return None if row is None else (row[0], row[1], row[2])


async def recording_guild(db: Reader, channel_id: int) -> int | None:
    return await db.fetchval(
        "SELECT guild_id FROM thread_recordings WHERE channel_id = ?", (channel_id,)
    )


@dataclass(frozen=True, slots=True)
class QuarantineSummary:
    items: int
    error_ids: tuple[str, ...]  # the latest few, newest first


async def quarantine_summary(db: Reader, guild_id: int, *, latest: int = 5) -> QuarantineSummary:
    count = await db.fetchval(
        "SELECT COUNT(*) FROM recorded_quarantine WHERE guild_id = ?", (guild_id,)
    )
    rows = await db.fetchall(
        "SELECT error_id FROM recorded_quarantine WHERE guild_id = ? "
        "ORDER BY quarantined_at DESC, id DESC LIMIT ?",
        (guild_id, latest),
    )
    return QuarantineSummary(int(count or 0), tuple(r[0] for r in rows))


# --- recordings --------------------------------------------------------------------------


async def start_recording(
    tx: Transaction,
    *,
    channel_id: int,
    guild_id: int,
    name: str,
    parent_id: int | None,
    reason: str,
    started_by: int | None,
    now: datetime,
    keep_unarchived: bool = False,
    restart_stopped: bool = True,
    save_attachments: bool | None = None,
) -> tuple[Recording, bool]:
    """Start (or resume) recording; returns the recording and whether it was newly started.

    ``restart_stopped=False`` is for automatic starts: a moderator's /record stop stays.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    at = stamp(now)
    conflict = (
        "DO UPDATE SET stopped_at = NULL, started_at = excluded.started_at, "
        "started_by = excluded.started_by, reason = excluded.reason, name = excluded.name, "
        "keep_unarchived = excluded.keep_unarchived, "
        "save_attachments = excluded.save_attachments "
        "WHERE thread_recordings.stopped_at IS NOT NULL"
        if restart_stopped
        else "DO NOTHING"
    )
    cur = await tx.execute(
        f"INSERT INTO thread_recordings ({_RECORDING_COLUMNS}) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (channel_id) {conflict}",
        (
            channel_id,
            guild_id,
            parent_id,
            name,
            reason,
            started_by,
            at,
            int(keep_unarchived),
            None if save_attachments is None else int(save_attachments),
        ),
    )
    started = cur.rowcount > 0
    if started:
        await tx.execute(
            "INSERT INTO thread_events (channel_id, kind, detail, actor_id, at) "
            "VALUES (?, 'recording_started', ?, ?, ?)",
            (channel_id, reason, started_by, at),
        )
    elif restart_stopped:
        # Already on: a moderator may still change the keep-unarchived choice (and, when
        # given, whether attachments are saved).
        await tx.execute(
            "UPDATE thread_recordings SET keep_unarchived = ? WHERE channel_id = ?",
            (int(keep_unarchived), channel_id),
        )
        if save_attachments is not None:
            await tx.execute(
                "UPDATE thread_recordings SET save_attachments = ? WHERE channel_id = ?",
                (int(save_attachments), channel_id),
            )
    recording = await get_recording(tx, channel_id)
    assert recording is not None
    return recording, started


async def stop_recording(
    tx: Transaction, channel_id: int, *, stopped_by: int | None, now: datetime
) -> bool:
    at = stamp(now)
    cur = await tx.execute(
        "UPDATE thread_recordings SET stopped_at = ? WHERE channel_id = ? AND stopped_at IS NULL",
        (at, channel_id),
    )
    if cur.rowcount:
        await tx.execute(
            "INSERT INTO thread_events (channel_id, kind, detail, actor_id, at) "
            "VALUES (?, 'recording_stopped', '', ?, ?)",
            (channel_id, stopped_by, at),
        )
    return cur.rowcount > 0


async def get_recording(db: Reader, channel_id: int) -> Recording | None:
    row = await db.fetchone(
        f"SELECT {_RECORDING_COLUMNS} FROM thread_recordings WHERE channel_id = ?", (channel_id,)
    )
    return None if row is None else _recording(row)


async def all_recordings(db: Reader) -> list[Recording]:
    return [
        _recording(r)
        for r in await db.fetchall(f"SELECT {_RECORDING_COLUMNS} FROM thread_recordings")
    ]


async def guild_recordings(
    db: Reader, guild_id: int, *, typed: str = "", limit: int = 25
) -> list[Recording]:
    """Recordings of a guild, active first then newest; ``typed`` filters by name."""
    rows = await db.fetchall(
        f"SELECT {_RECORDING_COLUMNS} FROM thread_recordings WHERE guild_id = ? "
        "AND (lower(name) LIKE '%' || lower(?) || '%' ESCAPE '\\' OR CAST(channel_id AS TEXT) = ?) "
        "ORDER BY stopped_at IS NOT NULL, started_at DESC LIMIT ?",
        (guild_id, _like_escape(typed), typed, limit),
    )
    return [_recording(r) for r in rows]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def rename_recording(tx: Transaction, channel_id: int, name: str) -> None:
    await tx.execute(
        "UPDATE thread_recordings SET name = ? WHERE channel_id = ?", (name, channel_id)
    )


async def purge_recording(tx: Transaction, channel_id: int) -> int:
    """Delete a transcript entirely (recording, messages, events); returns messages removed."""
    count = await tx.fetchval(
        "SELECT COUNT(*) FROM recorded_messages WHERE channel_id = ?", (channel_id,)
    )
    await tx.execute("DELETE FROM thread_recordings WHERE channel_id = ?", (channel_id,))
    await tx.execute("DELETE FROM recorded_quarantine WHERE channel_id = ?", (channel_id,))
    await tx.execute(DELETE_UNLINKED_FILES)
    return int(count or 0)


# --- saved attachments -------------------------------------------------------------------


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def save_file(
    tx: Transaction,
    *,
    guild_id: int,
    message_id: int,
    position: int,
    data: bytes,
    content_type: str | None,
    guild_budget: int,
    now: datetime,
) -> bool:
    """Keep an attachment's bytes for a recorded message (still kept with its words);
    returns whether it is linked. One copy per server and content (sha256); a new copy
    only while the server's saved files stay within ``guild_budget`` bytes."""
    sha = digest(data)
    live = (
        "EXISTS (SELECT 1 FROM recorded_messages WHERE message_id = ? "
        "AND deleted_at IS NULL AND redacted = 0)"
    )
    await tx.execute(
        "INSERT INTO recorded_files (guild_id, sha256, size, content_type, data, saved_at) "
        f"SELECT ?, ?, ?, ?, ?, ? WHERE {live} AND "
        "(SELECT COALESCE(SUM(size), 0) FROM recorded_files WHERE guild_id = ?) + ? <= ? "
        "ON CONFLICT (guild_id, sha256) DO NOTHING",
        (
            guild_id, sha, len(data), content_type, data, stamp(now), message_id,
            guild_id, len(data), guild_budget,
        ),
    )  # fmt: skip
    cur = await tx.execute(
        "INSERT INTO recorded_attachment_files (message_id, position, guild_id, sha256) "
        f"SELECT ?, ?, ?, ? WHERE {live} AND EXISTS (SELECT 1 FROM recorded_files "
        "WHERE guild_id = ? AND sha256 = ?) ON CONFLICT (message_id, position) DO NOTHING",
        (message_id, position, guild_id, sha, message_id, guild_id, sha),
    )
    return cur.rowcount > 0


async def saved_bytes(db: Reader, guild_id: int) -> int:
    n = await db.fetchval(
        "SELECT COALESCE(SUM(size), 0) FROM recorded_files WHERE guild_id = ?", (guild_id,)
    )
    return int(n or 0)


async def saved_file_count(db: Reader, user_id: int) -> int:
    """Saved attachments of the member's recorded messages."""
    n = await db.fetchval(
        "SELECT COUNT(*) FROM recorded_attachment_files l JOIN recorded_messages m "
        "ON m.message_id = l.message_id WHERE m.author_id = ?",
        (user_id,),
    )
    return int(n or 0)


# --- privacy and retention ---------------------------------------------------------------


async def redact_author(tx: Transaction, user_id: int) -> int:
    """Opt-out: remove the member's kept words, keep a placeholder; returns messages redacted."""
    await tx.execute(
        "DELETE FROM recorded_versions WHERE message_id IN "
        "(SELECT message_id FROM recorded_messages WHERE author_id = ?)",
        (user_id,),
    )
    await tx.execute(
        "DELETE FROM recorded_attachment_files WHERE message_id IN "
        "(SELECT message_id FROM recorded_messages WHERE author_id = ?)",
        (user_id,),
    )
    cur = await tx.execute(
        f"UPDATE recorded_messages SET redacted = 1, author_name = ?, {_CLEARED} "
        "WHERE author_id = ? AND redacted = 0",
        (REDACTED_NAME, user_id),
    )
    await unquote_and_unreact(tx, user_id)
    await tx.execute(DELETE_UNLINKED_FILES)
    return cur.rowcount


async def unquote_and_unreact(tx: Transaction, user_id: int) -> tuple[int, int]:
    """The member's words quoted in others' replies and their reactions go (opt-out and
    forget-me alike); returns (quotes removed, reactions removed)."""
    quotes = await tx.execute(
        "UPDATE recorded_messages SET reply_author_id = NULL, reply_author_name = NULL, "
        "reply_content = NULL WHERE reply_author_id = ?",
        (user_id,),
    )
    reactions = await tx.execute("DELETE FROM recorded_reactions WHERE user_id = ?", (user_id,))
    return quotes.rowcount, reactions.rowcount


async def drop_quarantined_words(tx: Transaction, user_id: int) -> int:
    """Opt-out: delete the member's messages and edits held in quarantine; how many."""
    cur = await tx.execute(
        "DELETE FROM recorded_quarantine WHERE member_id = ? AND kind IN ('message', 'edit')",
        (user_id,),
    )
    return cur.rowcount


@dataclass(frozen=True, slots=True)
class Forgotten:
    messages: int  # their recorded messages deleted (versions and indexed words with them)
    events: int  # thread events they did that no longer name them
    recordings: int  # recordings they started that no longer name them
    quarantined: int = 0  # items of theirs held in quarantine, deleted
    quotes: int = 0  # others' replies that no longer quote their words
    reactions: int = 0  # their reactions deleted
    files: int = 0  # saved attachments of their messages deleted


async def forget_author(tx: Transaction, user_id: int) -> Forgotten:
    """Forget me: delete every kept message of the member, unname them everywhere else.

    Versions go with their message (``ON DELETE CASCADE``) and the full-text index's delete
    trigger removes their words from ``recorded_versions_fts``; events and recordings stay
    (they are part of other members' transcripts) but no longer carry the member's id.
    What the quarantine holds of them (their items, and edits or deletions of their
    messages) is deleted.
    """
    quarantined = await tx.execute(
        "DELETE FROM recorded_quarantine WHERE member_id = ? OR message_id IN "
        "(SELECT message_id FROM recorded_messages WHERE author_id = ?)",
        (user_id, user_id),
    )
    files = await saved_file_count(tx, user_id)
    messages = await tx.execute("DELETE FROM recorded_messages WHERE author_id = ?", (user_id,))
    events = await tx.execute(
        "UPDATE thread_events SET actor_id = NULL WHERE actor_id = ?", (user_id,)
    )
    recordings = await tx.execute(
        "UPDATE thread_recordings SET started_by = NULL WHERE started_by = ?", (user_id,)
    )
    quotes, reactions = await unquote_and_unreact(tx, user_id)
    await tx.execute(DELETE_UNLINKED_FILES)  # their messages' links went with them
    return Forgotten(
        messages.rowcount,
        events.rowcount,
        recordings.rowcount,
        quarantined.rowcount,
        quotes,
        reactions,
        files,
    )


async def authored_count(db: Reader, user_id: int) -> tuple[int, int]:
    """(messages kept with their words, messages kept redacted) of one member."""
    row = await db.fetchone(
        "SELECT COUNT(*) - COALESCE(SUM(redacted), 0), COALESCE(SUM(redacted), 0) "
        "FROM recorded_messages WHERE author_id = ?",
        (user_id,),
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def reaction_count(db: Reader, user_id: int) -> int:
    """Reactions of the member kept on recorded messages."""
    n = await db.fetchval("SELECT COUNT(*) FROM recorded_reactions WHERE user_id = ?", (user_id,))
    return int(n or 0)


async def quarantined_count(db: Reader, user_id: int) -> int:
    """Items of the member held in quarantine."""
    n = await db.fetchval(
        "SELECT COUNT(*) FROM recorded_quarantine WHERE member_id = ?", (user_id,)
    )
    return int(n or 0)


async def purge_older_than(tx: Transaction, days: int, *, now: datetime) -> int:
    """Retention: delete messages created more than ``days`` ago; returns how many."""
    if days <= 0:
        return 0
    cutoff = stamp(now - timedelta(days=days))
    cur = await tx.execute("DELETE FROM recorded_messages WHERE created_at < ?", (cutoff,))
    await tx.execute("DELETE FROM thread_events WHERE at < ?", (cutoff,))
    await tx.execute("DELETE FROM recorded_quarantine WHERE happened_at < ?", (cutoff,))
    await tx.execute(DELETE_UNLINKED_FILES)
    return cur.rowcount


async def message_count(db: Reader, channel_id: int) -> int:
    count = await db.fetchval(
        "SELECT COUNT(*) FROM recorded_messages WHERE channel_id = ?", (channel_id,)
    )
    return int(count or 0)
