-- Debate feature (polls): who may vote and how many must (cogs/polls/eligibility.py, docs/polls.md).

-- A poll's rules, fixed when it opened: members must have joined before the cutoff (set that
-- long before it opened), accounts be at least this old when voting, screening be passed; the
-- quorum is a number of votes (computed from a share of members when one was given).
ALTER TABLE polls ADD COLUMN eligible_joined_before TEXT;
ALTER TABLE polls ADD COLUMN eligible_joined_s INTEGER
    CHECK (eligible_joined_s IS NULL OR eligible_joined_s >= 0);
ALTER TABLE polls ADD COLUMN eligible_account_s INTEGER
    CHECK (eligible_account_s IS NULL OR eligible_account_s > 0);
ALTER TABLE polls ADD COLUMN eligible_screened INTEGER NOT NULL DEFAULT 0
    CHECK (eligible_screened IN (0, 1));
ALTER TABLE polls ADD COLUMN quorum INTEGER CHECK (quorum IS NULL OR quorum > 0);
ALTER TABLE polls ADD COLUMN quorum_percent INTEGER
    CHECK (quorum_percent IS NULL OR quorum_percent BETWEEN 1 AND 100);

-- A schedule keeps the rules as typed: each poll it opens fixes them when it opens.
ALTER TABLE poll_schedules ADD COLUMN eligible_joined_s INTEGER
    CHECK (eligible_joined_s IS NULL OR eligible_joined_s >= 0);
ALTER TABLE poll_schedules ADD COLUMN eligible_account_s INTEGER
    CHECK (eligible_account_s IS NULL OR eligible_account_s > 0);
ALTER TABLE poll_schedules ADD COLUMN eligible_screened INTEGER NOT NULL DEFAULT 0
    CHECK (eligible_screened IN (0, 1));
ALTER TABLE poll_schedules ADD COLUMN quorum INTEGER CHECK (quorum IS NULL OR quorum > 0);
ALTER TABLE poll_schedules ADD COLUMN quorum_percent INTEGER
    CHECK (quorum_percent IS NULL OR quorum_percent BETWEEN 1 AND 100);
