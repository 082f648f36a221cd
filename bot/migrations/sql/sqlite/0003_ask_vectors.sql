-- /ask: cached passage vectors, a change counter for the in-memory index, and the questions
-- behind /ask's persistent buttons.

-- Passage embeddings keyed by what was embedded (sha256 of the text) and by which model, so
-- restarts and unchanged quotes never re-encode, and a model change never mixes vectors.
CREATE TABLE ask_vectors (
    content_hash TEXT NOT NULL,
    model        TEXT NOT NULL,
    vector       BLOB NOT NULL,               -- float32 little-endian, unit length
    PRIMARY KEY (content_hash, model)
) WITHOUT ROWID;

-- Bumped by every change to quotes that /ask can see, so the in-memory vector matrix knows
-- it is stale with one primary-key read (cheaper than count(*)/max(updated_at) at 100k).
CREATE TABLE ask_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL DEFAULT 0
);
INSERT INTO ask_generation (id, value) VALUES (1, 0);

CREATE TRIGGER ask_generation_insert AFTER INSERT ON quotes BEGIN
    UPDATE ask_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ask_generation_delete AFTER DELETE ON quotes BEGIN
    UPDATE ask_generation SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER ask_generation_update AFTER UPDATE OF text, speaker, source_id, locator, status,
    guild_id ON quotes BEGIN
    UPDATE ask_generation SET value = value + 1 WHERE id = 1;
END;

-- A question asked with /ask; its buttons carry only this id (custom_id <= 100 characters)
-- and keep working after a restart.
CREATE TABLE ask_sessions (
    id         TEXT PRIMARY KEY,              -- short random token
    question   TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    guild_id   INTEGER,
    user_id    INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
