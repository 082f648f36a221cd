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
