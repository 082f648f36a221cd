-- Thread recording: items the recorder could not write, kept instead of stalling the queue.
-- One refused row must not hold back every later message (cogs/threads/recorder.py): a flush
-- that fails is written again item by item, and the item the database refuses lands here
-- with the error id a moderator sees in /record status and the log holds the details of.
-- It holds a member's words, so forget-me deletes it, opt-out deletes their words in it, and
-- /privacy status counts it. No foreign key: a refused row may be refused for its channel.

CREATE TABLE recorded_quarantine (
    id             INTEGER PRIMARY KEY,
    error_id       TEXT    NOT NULL,       -- what /record status and the log line show
    kind           TEXT    NOT NULL CHECK (kind IN ('message', 'edit', 'delete', 'event')),
    channel_id     INTEGER,
    guild_id       INTEGER,
    message_id     INTEGER,
    member_id      INTEGER,                -- whose: the author (message, edit), the actor (event)
    happened_at    TEXT    NOT NULL,       -- when the item happened (retention reads it)
    item           TEXT    NOT NULL,       -- the queued item as ASCII JSON, words included
    error          TEXT    NOT NULL,       -- what the database said (may quote the row)
    quarantined_at TEXT    NOT NULL
);

CREATE INDEX recorded_quarantine_by_member ON recorded_quarantine (member_id);
CREATE INDEX recorded_quarantine_by_message ON recorded_quarantine (message_id);
CREATE INDEX recorded_quarantine_by_guild ON recorded_quarantine (guild_id, quarantined_at);
