-- Poll kinds (cogs/debate/ballots.py). Single-choice polls keep their rows in poll_votes;
-- approval and ranked polls keep one ballot per member here: the key (poll_id, user_id) is
-- what makes it one, and a changed ballot is an upsert. ``choices`` holds option positions
-- joined by '.', in the member's order of preference for a ranked poll ("2.0.1").

ALTER TABLE polls ADD COLUMN ballot_kind TEXT NOT NULL DEFAULT 'single'
    CHECK (ballot_kind IN ('single', 'approval', 'ranked'));
ALTER TABLE polls ADD COLUMN max_choices INTEGER CHECK (max_choices BETWEEN 1 AND 10);

CREATE TABLE poll_ballots (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    choices TEXT    NOT NULL CHECK (length(choices) BETWEEN 1 AND 19),
    cast_at TEXT    NOT NULL,
    PRIMARY KEY (poll_id, user_id)
) WITHOUT ROWID;

CREATE INDEX poll_ballots_by_user ON poll_ballots (user_id);
