-- Core: claims on due work, so a timer fires once across processes (bot/claims.py), and
-- version counters of cached data, so every process's caches follow the database
-- (bot/cache_sync.py). Neither holds anything about a member.

-- One row per piece of work (a key such as 'poll-result:42'). owner/lease_until say which
-- process is doing it until when; a crashed owner's lease runs out and another takes it.
-- result_id is what the work posted (a message id), so a retry edits instead of posting again.
CREATE TABLE core_claims (
    key         TEXT    NOT NULL PRIMARY KEY,
    guild_id    INTEGER,
    owner       TEXT    NOT NULL,
    lease_until TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,
    result_id   INTEGER,
    done_at     TEXT
) WITHOUT ROWID;
CREATE INDEX core_claims_open ON core_claims (lease_until) WHERE done_at IS NULL;

CREATE TABLE core_cache_versions (
    name    TEXT    NOT NULL PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
