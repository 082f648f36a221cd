-- Debate formats (config/formats.toml): the format a debate runs, where it is in it, and the
-- points of information members offer during speeches. Columns added, no table rebuilt.

ALTER TABLE debates ADD COLUMN format_id TEXT NOT NULL DEFAULT 'oxford';
-- A format's own phase; debates.phase then holds the classic phase it stands in for.
ALTER TABLE debates ADD COLUMN format_phase TEXT CHECK (format_phase IN ('prep', 'speech'));
ALTER TABLE debates ADD COLUMN speech_index INTEGER;  -- 0-based, in the format's speeches

CREATE TABLE debate_pois (
    id           INTEGER PRIMARY KEY,
    debate_id    INTEGER NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
    speech_index INTEGER NOT NULL,
    speech_seq   INTEGER NOT NULL,             -- debates.timer_seq of the speech it was offered in
    user_id      INTEGER NOT NULL,             -- who offered it (0 once forgotten)
    offered_at   TEXT    NOT NULL,
    message_id   INTEGER,                      -- the Accept/Decline message in the thread
    answer       TEXT CHECK (answer IN ('accepted', 'declined', 'lapsed')),
    answered_by  INTEGER,
    answered_at  TEXT
);

-- One point of information waits for an answer at a time in a debate.
CREATE UNIQUE INDEX debate_pois_pending ON debate_pois (debate_id) WHERE answer IS NULL;
CREATE INDEX debate_pois_by_debate ON debate_pois (debate_id, speech_index);
CREATE INDEX debate_pois_by_user ON debate_pois (user_id);
