-- Debate feature: a poll's lifecycle (docs/debate.md, "Poll lifecycle").

-- How long before its deadline the poll's role is reminded (NULL: no reminder), and when the
-- reminder was posted: claimed by a conditional UPDATE, so it is posted once.
ALTER TABLE polls ADD COLUMN remind_before_s INTEGER
    CHECK (remind_before_s IS NULL OR remind_before_s > 0);
ALTER TABLE polls ADD COLUMN reminded_at TEXT;
-- The schedule that opened the poll (NULL: opened by hand or by a debate).
ALTER TABLE polls ADD COLUMN schedule_id INTEGER;

-- A poll that opens later, once or again every day or week. A run is claimed by moving
-- next_run_at on with a conditional UPDATE in the transaction that creates the poll.
CREATE TABLE poll_schedules (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    question        TEXT    NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    options         TEXT    NOT NULL,             -- JSON array of 2-10 labels
    duration_s      INTEGER NOT NULL CHECK (duration_s > 0),
    anonymous       INTEGER NOT NULL DEFAULT 1 CHECK (anonymous IN (0, 1)),
    live            INTEGER NOT NULL DEFAULT 1 CHECK (live IN (0, 1)),
    role_id         INTEGER,                      -- pinged, and the only voters
    remind_before_s INTEGER CHECK (remind_before_s IS NULL OR remind_before_s > 0),
    repeat          TEXT    NOT NULL DEFAULT 'once' CHECK (repeat IN ('once', 'daily', 'weekly')),
    next_run_at     TEXT,                         -- ISO UTC; NULL: finished or cancelled
    runs            INTEGER NOT NULL DEFAULT 0,
    last_poll_id    INTEGER,
    created_by      INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    cancelled_at    TEXT
);

CREATE INDEX poll_schedules_due ON poll_schedules (next_run_at) WHERE next_run_at IS NOT NULL;
CREATE INDEX poll_schedules_by_guild ON poll_schedules (guild_id, id);
