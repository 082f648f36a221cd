-- Core: per-guild setting overrides and members' privacy choices (PostgreSQL).
-- Times are text 'YYYY-MM-DDTHH:MM:SS.sssZ' like SQLite's strftime('%Y-%m-%dT%H:%M:%fZ'),
-- so the same comparisons and the same Python code work on both engines.

CREATE FUNCTION herbot_now() RETURNS text LANGUAGE sql STABLE
AS 'SELECT to_char(now() AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'')';

CREATE TABLE guild_settings (
    guild_id   BIGINT NOT NULL,
    key        TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    updated_at TEXT   NOT NULL DEFAULT herbot_now(),
    PRIMARY KEY (guild_id, key)
);

CREATE TABLE privacy_optouts (
    user_id    BIGINT NOT NULL,
    scope      TEXT   NOT NULL CHECK (scope IN ('quote', 'record')),
    created_at TEXT   NOT NULL DEFAULT herbot_now(),
    PRIMARY KEY (user_id, scope)
);
