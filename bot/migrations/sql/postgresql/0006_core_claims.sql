-- Core: claims on due work (bot/claims.py) and cache versions (bot/cache_sync.py), PostgreSQL.

CREATE TABLE core_claims (
    key         TEXT    NOT NULL PRIMARY KEY,
    guild_id    BIGINT,
    owner       TEXT    NOT NULL,
    lease_until TEXT    NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 1,
    result_id   BIGINT,
    done_at     TEXT
);
CREATE INDEX core_claims_open ON core_claims (lease_until) WHERE done_at IS NULL;

CREATE TABLE core_cache_versions (
    name    TEXT   NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL DEFAULT 0
);
