-- /ask: cached passage vectors, a change counter for the in-memory index, and the questions
-- behind /ask's persistent buttons (PostgreSQL).

CREATE TABLE ask_vectors (
    content_hash TEXT  NOT NULL,
    model        TEXT  NOT NULL,
    vector       BYTEA NOT NULL,
    PRIMARY KEY (content_hash, model)
);

CREATE TABLE ask_generation (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL DEFAULT 0
);
INSERT INTO ask_generation (id, value) VALUES (1, 0);

CREATE FUNCTION ask_generation_bump() RETURNS trigger LANGUAGE plpgsql
AS 'BEGIN UPDATE ask_generation SET value = value + 1 WHERE id = 1; RETURN NULL; END';

CREATE TRIGGER ask_generation_insert AFTER INSERT ON quotes
    FOR EACH STATEMENT EXECUTE FUNCTION ask_generation_bump();

CREATE TRIGGER ask_generation_delete AFTER DELETE ON quotes
    FOR EACH STATEMENT EXECUTE FUNCTION ask_generation_bump();

CREATE TRIGGER ask_generation_update AFTER UPDATE OF text, speaker, source_id, locator, status,
    guild_id ON quotes FOR EACH STATEMENT EXECUTE FUNCTION ask_generation_bump();

CREATE TABLE ask_sessions (
    id         TEXT PRIMARY KEY,
    question   TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    guild_id   BIGINT,
    user_id    BIGINT,
    created_at TEXT NOT NULL DEFAULT herbot_now()
);
