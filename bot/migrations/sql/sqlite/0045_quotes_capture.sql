-- Nominations by reaction: one row per message that reached a server's nomination threshold.
-- The primary key is the "once": concurrent reactions race to insert it and one wins; the row
-- stays after a moderator rejects the quote, so the message is never nominated again.

CREATE TABLE quote_nominations (
    guild_id     INTEGER NOT NULL,
    message_id   INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    author_id    INTEGER,                  -- whose words
    nominated_by INTEGER,                  -- the member whose reaction reached the threshold
    reactions    INTEGER NOT NULL,         -- qualifying reactions counted at that moment
    outcome      TEXT    NOT NULL CHECK (outcome IN ('queued', 'already_saved', 'ignored')),
    quote_id     TEXT,                     -- the quote it queued (or found already saved)
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (guild_id, message_id)
);

CREATE INDEX quote_nominations_by_author ON quote_nominations (author_id)
    WHERE author_id IS NOT NULL;
CREATE INDEX quote_nominations_by_nominator ON quote_nominations (nominated_by)
    WHERE nominated_by IS NOT NULL;
