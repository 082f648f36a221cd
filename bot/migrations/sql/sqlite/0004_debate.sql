-- Debate feature: motion polls (button votes kept here, one row per member and poll) and
-- moderated Oxford-style debate events with their queues and speech timers.

CREATE TABLE polls (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER,
    question    TEXT    NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    kind        TEXT    NOT NULL DEFAULT 'poll'
                CHECK (kind IN ('poll', 'debate_pre', 'debate_post')),
    anonymous   INTEGER NOT NULL DEFAULT 1 CHECK (anonymous IN (0, 1)),
    live        INTEGER NOT NULL DEFAULT 1 CHECK (live IN (0, 1)),
    role_id     INTEGER,                       -- only members with this role may vote
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    closes_at   TEXT,                          -- ISO UTC deadline; NULL: closed by hand
    closed_at   TEXT,
    closed_by   INTEGER                        -- NULL when the deadline closed it
);

CREATE INDEX polls_open ON polls (closes_at) WHERE closed_at IS NULL;
CREATE INDEX polls_by_guild ON polls (guild_id, id);

CREATE TABLE poll_options (
    poll_id  INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 9),
    label    TEXT    NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    PRIMARY KEY (poll_id, position)
) WITHOUT ROWID;

-- The key (poll_id, user_id) is what makes "one vote per member" true.
CREATE TABLE poll_votes (
    poll_id  INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL,
    position INTEGER NOT NULL,
    voted_at TEXT    NOT NULL,
    PRIMARY KEY (poll_id, user_id),
    FOREIGN KEY (poll_id, position) REFERENCES poll_options (poll_id, position)
) WITHOUT ROWID;

CREATE TABLE debates (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER NOT NULL,          -- where the thread was opened
    thread_id        INTEGER,
    panel_message_id INTEGER,
    motion           TEXT    NOT NULL CHECK (length(motion) BETWEEN 1 AND 300),
    moderator_id     INTEGER NOT NULL,
    phase            TEXT    NOT NULL DEFAULT 'pre_vote' CHECK (phase IN (
                         'pre_vote', 'opening_for', 'opening_against', 'rebuttal',
                         'questions', 'closing_for', 'closing_against', 'post_vote',
                         'finished')),
    paused           INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    speaker_id       INTEGER,                   -- who has the floor
    speaker_side     TEXT CHECK (speaker_side IN ('for', 'against', 'question')),
    question_text    TEXT,
    timer_deadline   TEXT,                      -- running timer: ISO UTC end
    timer_remaining  REAL,                      -- paused timer: seconds left
    timer_length     REAL,
    timer_seq        INTEGER NOT NULL DEFAULT 0, -- bumped for every new speech
    notices          TEXT    NOT NULL DEFAULT '', -- notices posted for timer_seq: "60,30,end"
    version          INTEGER NOT NULL DEFAULT 0, -- optimistic lock for moderator controls
    pre_poll_id      INTEGER REFERENCES polls (id),
    post_poll_id     INTEGER REFERENCES polls (id),
    created_at       TEXT    NOT NULL,
    finished_at      TEXT
);

CREATE INDEX debates_by_guild ON debates (guild_id, id);

-- Speaker queue (kind 'speaker', side for/against) and audience questions (kind 'question').
CREATE TABLE debate_queue (
    id        INTEGER PRIMARY KEY,
    debate_id INTEGER NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
    kind      TEXT    NOT NULL CHECK (kind IN ('speaker', 'question')),
    user_id   INTEGER NOT NULL,
    side      TEXT CHECK (side IN ('for', 'against')),
    text      TEXT CHECK (text IS NULL OR length(text) <= 1000),
    joined_at TEXT    NOT NULL,
    called_at TEXT,
    CHECK ((kind = 'speaker') = (side IS NOT NULL))
);

-- A member waits at most once per queue (again after being called).
CREATE UNIQUE INDEX debate_queue_waiting ON debate_queue (debate_id, kind, user_id)
    WHERE called_at IS NULL;

CREATE TABLE debate_events (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    event_id   INTEGER NOT NULL UNIQUE,
    motion     TEXT    NOT NULL,
    starts_at  TEXT    NOT NULL,
    created_by INTEGER NOT NULL
);
