-- Links that let a person who forgot their password choose a new one: single use, valid 30
-- minutes, stored only as a SHA-256 hash.
CREATE TABLE password_reset_links (
    token_hash text COLLATE "C" PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES user_accounts (id),
    created_at text COLLATE "C" NOT NULL,
    expires_at text COLLATE "C" NOT NULL,
    used_at    text COLLATE "C"
);
CREATE INDEX password_reset_links_user ON password_reset_links (user_id);
