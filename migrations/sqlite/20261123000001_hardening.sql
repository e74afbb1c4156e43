-- Closing the holes found in review (see ARCHITECTURE.md).

-- An account that existed before an organization added it keeps its profile to itself:
-- that organization sees the email it gave, not the names or username set elsewhere.
ALTER TABLE memberships ADD COLUMN profile_visible INTEGER NOT NULL DEFAULT 1 CHECK (profile_visible IN (0, 1));

-- Bumped whenever the password is set or changed: sessions signed in under an older
-- version end.
ALTER TABLE user_accounts ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;

-- Failed sign-ins per account and per client address, shared by every app server.
CREATE TABLE sign_in_failures (
    key       TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, failed_at);

-- Mail is queued in the transaction that causes it and delivered after commit.
CREATE TABLE mail_queue (
    id         BLOB PRIMARY KEY NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX mail_queue_unsent ON mail_queue (created_at) WHERE sent_at IS NULL;

-- Only permissions that guard a feature remain in the catalogue (domain/permission.rs).
DELETE FROM role_permissions
 WHERE permission NOT IN ('users.view', 'users.manage', 'connectors.view', 'connectors.manage');
