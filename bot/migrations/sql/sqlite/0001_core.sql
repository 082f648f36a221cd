-- Core: per-guild setting overrides and members' privacy choices.

CREATE TABLE guild_settings (
    guild_id   INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (guild_id, key)
) WITHOUT ROWID;

-- scope 'quote': do not save my messages as quotes; 'record': do not record my messages.
CREATE TABLE privacy_optouts (
    user_id    INTEGER NOT NULL,
    scope      TEXT    NOT NULL CHECK (scope IN ('quote', 'record')),
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (user_id, scope)
) WITHOUT ROWID;
