"""Thread recording's part in /privacy: forget-me, opt-out of recording, status.

Each runs inside the core's one transaction (never opening its own). What a member said a
moment ago may still wait in the recorder's queue, so that queue is written into the same
transaction first and is forgotten or redacted with the rest; it leaves the queue only if
the transaction commits. Items the database refused to write wait in the quarantine
(``recorded_quarantine``): forget-me deletes the member's, opt-out deletes their words there.
"""

from __future__ import annotations

from bot.db import Reader, Transaction
from bot.feature import Counts, Privacy, Scope
from cogs.threads.recording import store
from cogs.threads.recording.recorder import Written, attached_to

KEPT = "recorded message[s]"  # what /privacy status and forget-me call the member's messages


async def forget(tx: Transaction, user_id: int) -> Counts:
    """Delete every recorded message of the member; unname them in events and recordings."""
    recorder = attached_to(tx)
    queued = Written()
    if recorder is not None:
        # The core recorded the forget first: what of theirs is queued is not written at all.
        queued = await recorder.write_queued(tx)
        # What they sent while this transaction ran is dropped too, once it committed.
        tx.after_commit(lambda: recorder.drop_messages_of(user_id))
    done = await store.forget_author(tx, user_id)
    return {
        KEPT: done.messages + queued.withheld[user_id],
        "thread event[s] no longer naming you": done.events + queued.unnamed[user_id],
        "recording[s] no longer naming you as who started them": done.recordings,
        "recorded item[s] held in quarantine": done.quarantined,
    }


async def opt_out(tx: Transaction, user_id: int, scope: Scope) -> Counts:
    """Stop recording the member at once and redact what is kept (queued messages included)."""
    if scope != "record":
        return {}
    recorder = attached_to(tx)
    queued = Written()
    if recorder is not None:
        # The core recorded the opt-out first: their queued messages are not written at all.
        queued = await recorder.write_queued(tx)

        def stop_recording_them() -> None:
            # Once committed: nothing new of theirs is queued, and what they sent while this
            # transaction ran is not written (a rollback changes nothing in memory).
            recorder.opted_out.add(user_id)
            recorder.drop_messages_of(user_id)

        tx.after_commit(stop_recording_them)
    return {
        "recorded message[s] redacted": (
            await store.redact_author(tx, user_id) + queued.withheld[user_id]
        ),
        "recorded message[s] held in quarantine, deleted": await store.drop_quarantined_words(
            tx, user_id
        ),
    }


async def status(db: Reader, user_id: int) -> Counts:
    kept, redacted = await store.authored_count(db, user_id)
    return {
        KEPT: kept,
        "recorded message[s] kept redacted (no words, your id)": redacted,
        "recorded item[s] held in quarantine (the database refused them)": (
            await store.quarantined_count(db, user_id)
        ),
    }


PRIVACY = Privacy(
    forget=forget,
    status=status,
    opt_out=opt_out,
    personal_columns={
        "thread_recordings": ("started_by",),
        "recorded_messages": ("author_id", "author_name", "attachments", "embeds"),
        "recorded_versions": ("content",),
        "recorded_versions_fts": ("content",),
        "thread_events": ("actor_id",),
        # The refused item as JSON (their words), whose it is, and the database's message,
        # which may quote the row.
        "recorded_quarantine": ("member_id", "item", "error"),
    },
    other_columns={
        "thread_recordings": (
            "channel_id",
            "guild_id",
            "parent_id",
            "name",
            "reason",
            "started_at",
            "stopped_at",
            "keep_unarchived",
        ),
        "recorded_messages": (
            "message_id",
            "channel_id",
            "guild_id",
            "created_at",
            "reply_to",
            "deleted_at",
            "redacted",
            "recovered",
            "deleted_while_down",
        ),
        # A pending catch-up after downtime: message ids and counts, nobody's words.
        "recording_catchup": ("channel_id", "after_id", "before_id", "fetched", "opened_at"),
        "recorded_versions": ("message_id", "version", "edited_at"),
        "thread_events": ("id", "channel_id", "kind", "detail", "at"),
        "recorded_quarantine": (
            "id",
            "error_id",
            "kind",
            "channel_id",
            "guild_id",
            "message_id",
            "happened_at",
            "quarantined_at",
        ),
    },
    fts_tables=("recorded_versions_fts",),
)
