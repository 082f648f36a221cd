-- Thread recording: what is recorded, every message with its versions, tombstones and events.
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (fixed width, so text order is time order).

-- One row per recorded thread or channel; stopped_at NULL while recording is on.
CREATE TABLE thread_recordings (
    channel_id      INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    parent_id       INTEGER,
    name            TEXT    NOT NULL DEFAULT '',
    reason          TEXT    NOT NULL DEFAULT 'manual'
                    CHECK (reason IN ('manual', 'debate', 'channel')),
    started_by      INTEGER,               -- NULL when started automatically
    started_at      TEXT    NOT NULL,
    stopped_at      TEXT,
    keep_unarchived INTEGER NOT NULL DEFAULT 0 CHECK (keep_unarchived IN (0, 1))
);

CREATE INDEX thread_recordings_by_guild ON thread_recordings (guild_id, stopped_at);

-- Deleted messages keep a tombstone (deleted_at set, versions removed); a member who opts out
-- keeps redacted = 1 rows with no content; "forget me" deletes the rows.
CREATE TABLE recorded_messages (
    message_id  INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL REFERENCES thread_recordings (channel_id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    author_name TEXT    NOT NULL,          -- display name at the time
    created_at  TEXT    NOT NULL,
    reply_to    INTEGER,                   -- message id of the reply reference
    attachments TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(attachments)),
    embeds      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(embeds)),
    deleted_at  TEXT,
    redacted    INTEGER NOT NULL DEFAULT 0 CHECK (redacted IN (0, 1))
);

CREATE INDEX recorded_messages_by_channel ON recorded_messages (channel_id, message_id);
CREATE INDEX recorded_messages_by_author ON recorded_messages (author_id);
CREATE INDEX recorded_messages_by_time ON recorded_messages (created_at);

-- Version 1 is the message as sent; every edit adds the next version.
CREATE TABLE recorded_versions (
    message_id INTEGER NOT NULL REFERENCES recorded_messages (message_id) ON DELETE CASCADE,
    version    INTEGER NOT NULL CHECK (version >= 1),
    content    TEXT    NOT NULL,
    edited_at  TEXT,                       -- NULL for version 1
    UNIQUE (message_id, version)
);

CREATE VIRTUAL TABLE recorded_versions_fts USING fts5 (
    content,
    content = 'recorded_versions', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER recorded_versions_fts_insert AFTER INSERT ON recorded_versions BEGIN
    INSERT INTO recorded_versions_fts (rowid, content) VALUES (new.rowid, new.content);
END;

CREATE TRIGGER recorded_versions_fts_delete AFTER DELETE ON recorded_versions BEGIN
    INSERT INTO recorded_versions_fts (recorded_versions_fts, rowid, content)
    VALUES ('delete', old.rowid, old.content);
END;

CREATE TRIGGER recorded_versions_fts_update AFTER UPDATE OF content ON recorded_versions BEGIN
    INSERT INTO recorded_versions_fts (recorded_versions_fts, rowid, content)
    VALUES ('delete', old.rowid, old.content);
    INSERT INTO recorded_versions_fts (rowid, content) VALUES (new.rowid, new.content);
END;

-- Renames, archive/lock changes and recording on/off, shown in transcripts between messages.
CREATE TABLE thread_events (
    id         INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES thread_recordings (channel_id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('renamed', 'archived', 'unarchived', 'locked',
                                                'unlocked', 'recording_started',
                                                'recording_stopped')),
    detail     TEXT    NOT NULL DEFAULT '',
    actor_id   INTEGER,
    at         TEXT    NOT NULL
);

CREATE INDEX thread_events_by_channel ON thread_events (channel_id, at);
