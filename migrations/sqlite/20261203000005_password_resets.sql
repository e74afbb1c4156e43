-- Links that let a person who forgot their password choose a new one: single use, valid 30
-- minutes, stored only as a SHA-256 hash.
CREATE TABLE password_reset_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES user_accounts (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX password_reset_links_user ON password_reset_links (user_id);
