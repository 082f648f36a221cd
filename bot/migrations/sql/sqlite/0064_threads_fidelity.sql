-- Thread recording: what a message holds beyond its text (cogs/threads/records.py).
-- JSON columns, NULL (or '[]') when the message has none; all of it is the member's and goes
-- with the text on deletion (tombstone), opt-out (redaction) and forget-me.
--   kind       the Discord message type kept ('default', 'reply', 'poll_result')
--   forwarded  a forwarded message's snapshot with its origin (guild, channel, message ids)
--   poll       a native poll: question, answers with votes, multiselect, expiry, finalized;
--              for a poll_result message: the result (question, winner, votes, total)
--   components Components V2 content walked into text (herbot's own cards among them)
--   stickers   [{"id": "…", "name": "…"}]
--   reply_*    the replied-to message as it was when the reply was recorded: kept when the
--              original is deleted later; removed when its author opts out or is forgotten
ALTER TABLE recorded_messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'default';
ALTER TABLE recorded_messages ADD COLUMN forwarded TEXT CHECK (forwarded IS NULL OR json_valid(forwarded));
ALTER TABLE recorded_messages ADD COLUMN poll TEXT CHECK (poll IS NULL OR json_valid(poll));
ALTER TABLE recorded_messages ADD COLUMN components TEXT;
ALTER TABLE recorded_messages ADD COLUMN stickers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(stickers));
ALTER TABLE recorded_messages ADD COLUMN reply_author_id INTEGER;
ALTER TABLE recorded_messages ADD COLUMN reply_author_name TEXT;
ALTER TABLE recorded_messages ADD COLUMN reply_content TEXT;

CREATE INDEX recorded_messages_by_reply_author ON recorded_messages (reply_author_id)
    WHERE reply_author_id IS NOT NULL;

-- Reactions: one row per member and emoji, added and removed live (raw reaction events).
-- user_id 0 is "members not known": the count a message already had when it was kept
-- (backfill, catch-up), as Discord gives counts without the members. Forget-me deletes a
-- member's rows; opt-out of recording too.
CREATE TABLE recorded_reactions (
    message_id INTEGER NOT NULL REFERENCES recorded_messages (message_id) ON DELETE CASCADE,
    emoji      TEXT    NOT NULL,           -- a unicode emoji, or <:name:id> / <a:name:id>
    user_id    INTEGER NOT NULL,           -- 0: counted, members not known
    count      INTEGER NOT NULL DEFAULT 1 CHECK (count >= 0),
    PRIMARY KEY (message_id, emoji, user_id)
);

CREATE INDEX recorded_reactions_by_user ON recorded_reactions (user_id);

-- Saved attachments (optional: /record start save_attachments, the server setting
-- record_save_attachments): the bytes, content-addressed per server (one copy of a file
-- however often it is posted there), within a per-file and a per-server budget. A file is
-- kept only while some recorded message links to it: deleting, redacting or forgetting the
-- message (and retention, and /record purge) removes the link, and the file with its last.
ALTER TABLE thread_recordings ADD COLUMN save_attachments INTEGER
    CHECK (save_attachments IS NULL OR save_attachments IN (0, 1)); -- NULL: the server's setting

CREATE TABLE recorded_files (
    guild_id     INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,         -- hex digest of data
    size         INTEGER NOT NULL,
    content_type TEXT,
    data         BLOB    NOT NULL,
    saved_at     TEXT    NOT NULL,
    PRIMARY KEY (guild_id, sha256)
);

CREATE TABLE recorded_attachment_files (
    message_id INTEGER NOT NULL REFERENCES recorded_messages (message_id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,           -- the attachment's index in the message
    guild_id   INTEGER NOT NULL,
    sha256     TEXT    NOT NULL,
    PRIMARY KEY (message_id, position),
    FOREIGN KEY (guild_id, sha256) REFERENCES recorded_files (guild_id, sha256)
);

CREATE INDEX recorded_attachment_files_by_file ON recorded_attachment_files (guild_id, sha256);
