-- /ask's loop (cogs/quotes/ask/gaps.py): what members asked that it could not answer well,
-- how they rated its answers, and what a server's curators taught it since.

-- The passage an answer led with, so a rating says which answer it judged.
ALTER TABLE ask_sessions ADD COLUMN answer_id TEXT;

-- A declined, weakly answered or unhelpfully rated question, for the server's curators.
-- Grouped with similar questions when listed (cosine over ``vector``); resolved as a group.
CREATE TABLE ask_gaps (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER,                     -- who asked
    question   TEXT    NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    vector     BLOB,                        -- the encoder's, float32 unit length; NULL: no model
    reason     TEXT    NOT NULL CHECK (reason IN ('declined', 'weak', 'unhelpful')),
    status     TEXT    NOT NULL DEFAULT 'open'
               CHECK (status IN ('open', 'answered', 'out_of_scope', 'dismissed')),
    quote_id   TEXT,                        -- the quote it was answered with
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX ask_gaps_by_guild ON ask_gaps (guild_id, status);
CREATE INDEX ask_gaps_by_user ON ask_gaps (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX ask_gaps_by_time ON ask_gaps (created_at);  -- retention

-- Helpful / Not helpful: one per member per answer, changeable (the key and an upsert).
CREATE TABLE ask_ratings (
    session_id TEXT    NOT NULL REFERENCES ask_sessions (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    guild_id   INTEGER,
    helpful    INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX ask_ratings_by_user ON ask_ratings (user_id);

-- What a server's curators taught /ask: a phrasing answered with a quote ('taught'), or one
-- this server declines from then on ('out_of_scope'). Never read for another server.
CREATE TABLE ask_learned (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('taught', 'out_of_scope')),
    question   TEXT    NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    vector     BLOB,
    quote_id   TEXT,                        -- 'taught': the quote that answers it
    asked_by   INTEGER,                     -- the member whose question it was
    decided_by INTEGER,                     -- the curator
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (guild_id, kind, question)
);
CREATE INDEX ask_learned_by_asker ON ask_learned (asked_by) WHERE asked_by IS NOT NULL;
