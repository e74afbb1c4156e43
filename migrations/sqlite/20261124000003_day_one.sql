-- Day one: an empty install sets itself up (see ARCHITECTURE.md).

-- An organization's default time zone (IANA name), for its outlets and dated access.
ALTER TABLE organizations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- The one-time link that opens the setup page of an empty install. Stored only as a
-- SHA-256 hash; a new start replaces a link that was not used.
CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT
);
