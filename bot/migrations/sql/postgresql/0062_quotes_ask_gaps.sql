-- /ask's loop (PostgreSQL twin of sqlite/0060_quotes_ask_gaps.sql).

ALTER TABLE ask_sessions ADD COLUMN answer_id TEXT;

CREATE TABLE ask_gaps (
    id         BIGSERIAL PRIMARY KEY,
    guild_id   BIGINT  NOT NULL,
    user_id    BIGINT,
    question   TEXT    NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    vector     BYTEA,
    reason     TEXT    NOT NULL CHECK (reason IN ('declined', 'weak', 'unhelpful')),
    status     TEXT    NOT NULL DEFAULT 'open'
               CHECK (status IN ('open', 'answered', 'out_of_scope', 'dismissed')),
    quote_id   TEXT,
    created_at TEXT    NOT NULL DEFAULT herbot_now()
);
CREATE INDEX ask_gaps_by_guild ON ask_gaps (guild_id, status);
CREATE INDEX ask_gaps_by_user ON ask_gaps (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX ask_gaps_by_time ON ask_gaps (created_at);  -- retention

CREATE TABLE ask_ratings (
    session_id TEXT    NOT NULL REFERENCES ask_sessions (id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL,
    guild_id   BIGINT,
    helpful    BIGINT NOT NULL CHECK (helpful IN (0, 1)),
    created_at TEXT    NOT NULL DEFAULT herbot_now(),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX ask_ratings_by_user ON ask_ratings (user_id);

CREATE TABLE ask_learned (
    id         BIGSERIAL PRIMARY KEY,
    guild_id   BIGINT  NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('taught', 'out_of_scope')),
    question   TEXT    NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    vector     BYTEA,
    quote_id   TEXT,
    asked_by   BIGINT,
    decided_by BIGINT,
    created_at TEXT    NOT NULL DEFAULT herbot_now(),
    UNIQUE (guild_id, kind, question)
);
CREATE INDEX ask_learned_by_asker ON ask_learned (asked_by) WHERE asked_by IS NOT NULL;
