-- Each completed sign-in and the console session it started: what the person's own page lists
-- (recent sign-ins, active sessions) and what ending one session ends. A session is active
-- while not ended, under 12 hours old and seen within 2 hours (last_seen_at is written at
-- most every 5 minutes).
CREATE TABLE sign_ins (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES user_accounts (id),
    method         text COLLATE "C" NOT NULL,
    client_address text COLLATE "C",
    user_agent     text,
    signed_in_at   text COLLATE "C" NOT NULL,
    last_seen_at   text COLLATE "C" NOT NULL,
    ended_at       text COLLATE "C"
);
CREATE INDEX sign_ins_user ON sign_ins (user_id, id);
