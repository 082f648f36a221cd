-- Nominations by reaction (PostgreSQL twin of sqlite/0045_quotes_capture.sql).

CREATE TABLE quote_nominations (
    guild_id     BIGINT  NOT NULL,
    message_id   BIGINT  NOT NULL,
    channel_id   BIGINT  NOT NULL,
    author_id    BIGINT,
    nominated_by BIGINT,
    reactions    BIGINT  NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('queued', 'already_saved', 'ignored')),
    quote_id     TEXT,
    created_at   TEXT    NOT NULL DEFAULT herbot_now(),
    PRIMARY KEY (guild_id, message_id)
);

CREATE INDEX quote_nominations_by_author ON quote_nominations (author_id)
    WHERE author_id IS NOT NULL;
CREATE INDEX quote_nominations_by_nominator ON quote_nominations (nominated_by)
    WHERE nominated_by IS NOT NULL;
