-- Thread recording: what a message holds beyond its text (see the SQLite file for the why).
ALTER TABLE recorded_messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'default';
ALTER TABLE recorded_messages ADD COLUMN forwarded TEXT CHECK (forwarded IS NULL OR forwarded::jsonb IS NOT NULL);
ALTER TABLE recorded_messages ADD COLUMN poll TEXT CHECK (poll IS NULL OR poll::jsonb IS NOT NULL);
ALTER TABLE recorded_messages ADD COLUMN components TEXT;
ALTER TABLE recorded_messages ADD COLUMN stickers TEXT NOT NULL DEFAULT '[]' CHECK (stickers::jsonb IS NOT NULL);
ALTER TABLE recorded_messages ADD COLUMN reply_author_id BIGINT;
ALTER TABLE recorded_messages ADD COLUMN reply_author_name TEXT;
ALTER TABLE recorded_messages ADD COLUMN reply_content TEXT;

CREATE INDEX recorded_messages_by_reply_author ON recorded_messages (reply_author_id)
    WHERE reply_author_id IS NOT NULL;

CREATE TABLE recorded_reactions (
    message_id BIGINT NOT NULL REFERENCES recorded_messages (message_id) ON DELETE CASCADE,
    emoji      TEXT   NOT NULL,
    user_id    BIGINT NOT NULL,
    count      BIGINT NOT NULL DEFAULT 1 CHECK (count >= 0),
    PRIMARY KEY (message_id, emoji, user_id)
);

CREATE INDEX recorded_reactions_by_user ON recorded_reactions (user_id);

ALTER TABLE thread_recordings ADD COLUMN save_attachments BIGINT
    CHECK (save_attachments IS NULL OR save_attachments IN (0, 1));

CREATE TABLE recorded_files (
    guild_id     BIGINT NOT NULL,
    sha256       TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT,
    data         BYTEA  NOT NULL,
    saved_at     TEXT   NOT NULL,
    PRIMARY KEY (guild_id, sha256)
);

CREATE TABLE recorded_attachment_files (
    message_id BIGINT NOT NULL REFERENCES recorded_messages (message_id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    guild_id   BIGINT NOT NULL,
    sha256     TEXT   NOT NULL,
    PRIMARY KEY (message_id, position),
    FOREIGN KEY (guild_id, sha256) REFERENCES recorded_files (guild_id, sha256)
);

CREATE INDEX recorded_attachment_files_by_file ON recorded_attachment_files (guild_id, sha256);
