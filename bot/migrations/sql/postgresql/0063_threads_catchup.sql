-- Thread recording: catch-up after downtime (PostgreSQL twin of sqlite/0060_threads_catchup.sql).
ALTER TABLE recorded_messages ADD COLUMN recovered BIGINT NOT NULL DEFAULT 0
    CHECK (recovered IN (0, 1));
ALTER TABLE recorded_messages ADD COLUMN deleted_while_down BIGINT NOT NULL DEFAULT 0
    CHECK (deleted_while_down IN (0, 1));

CREATE TABLE recording_catchup (
    channel_id BIGINT NOT NULL REFERENCES thread_recordings (channel_id) ON DELETE CASCADE,
    after_id   BIGINT NOT NULL,
    before_id  BIGINT,
    fetched    BIGINT NOT NULL DEFAULT 0,
    opened_at  TEXT    NOT NULL,
    PRIMARY KEY (channel_id, after_id)
);
