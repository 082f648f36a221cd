-- Debate judges (issue 24): the panel a moderator names, each judge's ballot (changed in place
-- until the chair releases the decision), and the release itself (once: its primary key).

CREATE TABLE debate_judges (
    debate_id  BIGINT  NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL,                -- the judge (a negative surrogate once forgotten)
    added_by   BIGINT  NOT NULL,                -- the moderator (0 once forgotten)
    added_at   TEXT    NOT NULL,
    PRIMARY KEY (debate_id, user_id)
);
CREATE INDEX debate_judges_by_user ON debate_judges (user_id);

CREATE TABLE debate_ballots (
    debate_id    BIGINT  NOT NULL,
    judge_id     BIGINT  NOT NULL,
    ranking      TEXT    NOT NULL,              -- team positions in the format, first to last
    points       TEXT    NOT NULL,              -- speaker points per speech ('' if not given)
    submitted_at TEXT    NOT NULL,
    changes      BIGINT  NOT NULL DEFAULT 0,    -- how often the judge changed it
    PRIMARY KEY (debate_id, judge_id),
    FOREIGN KEY (debate_id, judge_id) REFERENCES debate_judges (debate_id, user_id)
        ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE debate_decisions (
    debate_id   BIGINT PRIMARY KEY REFERENCES debates (id) ON DELETE CASCADE,
    released_by BIGINT  NOT NULL,               -- the chair (0 once forgotten)
    released_at TEXT    NOT NULL
);

-- The motion veto before preparation (formats with motion_veto): the moderator's three
-- motions, each side's one strike (once per side, never the motion the other side struck),
-- and the motion left, chosen once.
CREATE TABLE debate_vetoes (
    debate_id  BIGINT PRIMARY KEY REFERENCES debates (id) ON DELETE CASCADE,
    motions    TEXT    NOT NULL,                -- a JSON list of the three motions
    deadline   TEXT    NOT NULL,
    message_id BIGINT,                              -- the strike message in the thread
    chosen     BIGINT,                          -- the debated motion's position, once chosen
    chosen_at  TEXT
);

CREATE TABLE debate_veto_strikes (
    debate_id  BIGINT NOT NULL REFERENCES debate_vetoes (debate_id) ON DELETE CASCADE,
    side       TEXT    NOT NULL CHECK (side IN ('for', 'against')),
    position   BIGINT  NOT NULL,
    user_id    BIGINT NOT NULL,                     -- who struck for the side (0 once forgotten)
    struck_at  TEXT    NOT NULL,
    PRIMARY KEY (debate_id, side),
    UNIQUE (debate_id, position)
);

-- A debate tied to a Stage channel (/debate start stage:): speakers are brought up there.
ALTER TABLE debates ADD COLUMN stage_channel_id BIGINT;
