-- Core: forget-me reaches every process (bot/privacy.py).
--
-- Several processes on one database each hold words in memory (the recorder's queue, a quote
-- form, a nomination being decided) that a forget-me in another process cannot reach. The
-- forget is recorded here, in its own transaction, and every writer of members' words reads
-- it (and privacy_optouts) in the transaction that writes: words a member wrote before they
-- were forgotten are never written again, whichever process held them. What they write
-- afterwards is kept as usual.
--
-- The member is named by HMAC-SHA256 of their id under a random key made once per database
-- (privacy_secret), not by their id: the table lists nobody. Whoever holds the database and
-- a candidate id can still test it, as herbot itself does; the key only keeps the list from
-- being read off the table or matched against another database's.

CREATE TABLE privacy_secret (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT    NOT NULL                -- 64 hex digits
);

CREATE TABLE privacy_forgotten (
    member_hash  TEXT NOT NULL PRIMARY KEY, -- hex HMAC-SHA256(secret, member id)
    forgotten_at TEXT NOT NULL              -- the latest forget-me; words written until then
) WITHOUT ROWID;
