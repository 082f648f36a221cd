-- Core: the forget ledger (PostgreSQL twin of sqlite/0051_core_forget_ledger.sql).

CREATE TABLE privacy_secret (
    id     BIGINT PRIMARY KEY CHECK (id = 1),
    secret TEXT   NOT NULL
);

CREATE TABLE privacy_forgotten (
    member_hash  TEXT NOT NULL PRIMARY KEY,
    forgotten_at TEXT NOT NULL
);
