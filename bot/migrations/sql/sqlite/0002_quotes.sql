-- The quote store. Curated rows (origin 'curated') come from config/quotes/ and are shared by
-- every guild (guild_id NULL); submissions are per guild and start 'pending'.

CREATE TABLE quote_sources (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('film', 'article', 'discord')),
    title       TEXT NOT NULL,
    year        INTEGER,
    director    TEXT,
    publication TEXT,
    author      TEXT,
    url         TEXT,
    file        TEXT,                        -- the source text under shared/sources/
    note        TEXT NOT NULL DEFAULT ''
);

INSERT INTO quote_sources (id, kind, title, note)
VALUES ('discord', 'discord', 'Discord discussion', 'Quotes saved from members'' messages.');

CREATE TABLE quotes (
    id           TEXT PRIMARY KEY,
    text         TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    speaker      TEXT NOT NULL,
    source_id    TEXT NOT NULL REFERENCES quote_sources (id),
    locator      TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL DEFAULT 'excerpt'
                 CHECK (kind IN ('line', 'excerpt', 'fact', 'submission')),
    tags         TEXT NOT NULL DEFAULT '',   -- comma-separated, lower-case
    note         TEXT NOT NULL DEFAULT '',   -- curator note
    status       TEXT NOT NULL DEFAULT 'approved'
                 CHECK (status IN ('approved', 'pending', 'rejected', 'removed')),
    origin       TEXT NOT NULL DEFAULT 'curated'
                 CHECK (origin IN ('curated', 'submitted', 'message', 'transcript', 'imported')),
    guild_id     INTEGER,                    -- NULL: the curated store, shared by every guild
    submitted_by INTEGER,                    -- who submitted it
    author_id    INTEGER,                    -- whose words (for messages)
    message_link TEXT,                       -- provenance of a saved message
    edited_by    INTEGER,                    -- set when a moderator edits: import keeps the edit
    edited_at    TEXT,
    reviewed_by  INTEGER,                    -- the moderator who approved or rejected it
    reviewed_at  TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX quotes_by_status ON quotes (status, guild_id);
CREATE INDEX quotes_by_author ON quotes (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX quotes_by_submitter ON quotes (submitted_by) WHERE submitted_by IS NOT NULL;

-- Full-text index kept in step with quotes by triggers (external content table).
CREATE VIRTUAL TABLE quotes_fts USING fts5 (
    text, speaker, tags, note,
    content = 'quotes', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO quotes_fts (rowid, text, speaker, tags, note)
    VALUES (new.rowid, new.text, new.speaker, new.tags, new.note);
END;

CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
    INSERT INTO quotes_fts (quotes_fts, rowid, text, speaker, tags, note)
    VALUES ('delete', old.rowid, old.text, old.speaker, old.tags, old.note);
END;

CREATE TRIGGER quotes_fts_update AFTER UPDATE OF text, speaker, tags, note ON quotes BEGIN
    INSERT INTO quotes_fts (quotes_fts, rowid, text, speaker, tags, note)
    VALUES ('delete', old.rowid, old.text, old.speaker, old.tags, old.note);
    INSERT INTO quotes_fts (rowid, text, speaker, tags, note)
    VALUES (new.rowid, new.text, new.speaker, new.tags, new.note);
END;

-- One saved message is one quote: saving it again while pending or approved is refused.
CREATE UNIQUE INDEX quotes_one_per_message ON quotes (guild_id, message_link)
    WHERE message_link IS NOT NULL AND status IN ('pending', 'approved');

-- Quote of the day: one row per guild and UTC day, written before posting, so a restart
-- (or two overlapping ticks) can never post twice.
CREATE TABLE qotd_posts (
    guild_id  INTEGER NOT NULL,
    day       TEXT    NOT NULL,   -- YYYY-MM-DD (UTC)
    quote_id  TEXT    REFERENCES quotes (id) ON DELETE SET NULL,
    posted_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (guild_id, day)
) WITHOUT ROWID;

-- Autocomplete index: the words as written (no stemming, so "lonel" still finds "lonely" as
-- the user types) with prefix indexes for short prefixes. /ask ranks with quotes_fts above.
CREATE VIRTUAL TABLE quotes_ac USING fts5 (
    text, speaker, tags,
    content = 'quotes', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);

CREATE TRIGGER quotes_ac_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO quotes_ac (rowid, text, speaker, tags)
    VALUES (new.rowid, new.text, new.speaker, new.tags);
END;

CREATE TRIGGER quotes_ac_delete AFTER DELETE ON quotes BEGIN
    INSERT INTO quotes_ac (quotes_ac, rowid, text, speaker, tags)
    VALUES ('delete', old.rowid, old.text, old.speaker, old.tags);
END;

CREATE TRIGGER quotes_ac_update AFTER UPDATE OF text, speaker, tags ON quotes BEGIN
    INSERT INTO quotes_ac (quotes_ac, rowid, text, speaker, tags)
    VALUES ('delete', old.rowid, old.text, old.speaker, old.tags);
    INSERT INTO quotes_ac (rowid, text, speaker, tags)
    VALUES (new.rowid, new.text, new.speaker, new.tags);
END;
