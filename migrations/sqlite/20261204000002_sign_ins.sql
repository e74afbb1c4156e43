-- Each completed sign-in and the console session it started: what the person's own page lists
-- (recent sign-ins, active sessions) and what ending one session ends. A session is active
-- while not ended, under 12 hours old and seen within 2 hours (last_seen_at is written at
-- most every 5 minutes).
CREATE TABLE sign_ins (
    id             BLOB PRIMARY KEY NOT NULL,
    user_id        BLOB NOT NULL REFERENCES user_accounts (id),
    method         TEXT NOT NULL,
    client_address TEXT,
    user_agent     TEXT,
    signed_in_at   TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    ended_at       TEXT
);
CREATE INDEX sign_ins_user ON sign_ins (user_id, id);
