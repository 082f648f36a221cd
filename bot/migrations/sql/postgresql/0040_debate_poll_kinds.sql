-- Poll kinds (PostgreSQL twin of sqlite/0040_debate_poll_kinds.sql).

ALTER TABLE polls ADD COLUMN ballot_kind TEXT NOT NULL DEFAULT 'single'
    CHECK (ballot_kind IN ('single', 'approval', 'ranked'));
ALTER TABLE polls ADD COLUMN max_choices BIGINT CHECK (max_choices BETWEEN 1 AND 10);

CREATE TABLE poll_ballots (
    poll_id BIGINT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    choices TEXT   NOT NULL CHECK (length(choices) BETWEEN 1 AND 19),
    cast_at TEXT   NOT NULL,
    PRIMARY KEY (poll_id, user_id)
);

CREATE INDEX poll_ballots_by_user ON poll_ballots (user_id);
