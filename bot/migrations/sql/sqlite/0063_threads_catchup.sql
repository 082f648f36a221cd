-- Thread recording: catch-up after downtime (cogs/threads/recording/catchup.py).
-- A message fetched back from the channel's history after a restart or a resume is marked
-- recovered; one kept before the downtime that Discord no longer returns is tombstoned and
-- marked deleted while down (herbot did not see the deletion, it inferred it).
ALTER TABLE recorded_messages ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0
    CHECK (recovered IN (0, 1));
ALTER TABLE recorded_messages ADD COLUMN deleted_while_down INTEGER NOT NULL DEFAULT 0
    CHECK (deleted_while_down IN (0, 1));

-- The pending catch-ups of recorded conversations: the history above after_id is still to
-- be fetched, newest first, below before_id (NULL: from the newest). before_id moves down in
-- the transaction that stores each page, so an interrupted catch-up goes on where it was.
-- fetched counts what the gap fetched so far (its bound). A conversation down twice before
-- its first catch-up finished has two gaps.
CREATE TABLE recording_catchup (
    channel_id INTEGER NOT NULL REFERENCES thread_recordings (channel_id) ON DELETE CASCADE,
    after_id   INTEGER NOT NULL,
    before_id  INTEGER,
    fetched    INTEGER NOT NULL DEFAULT 0,
    opened_at  TEXT    NOT NULL,
    PRIMARY KEY (channel_id, after_id)
);
