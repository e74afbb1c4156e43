-- Passkeys (WebAuthn credentials): each names its account and is found at sign-in by its
-- credential id (base64url, unique across accounts). `credential` is webauthn-rs' Passkey as
-- JSON: the public key and the signature counter, nothing secret.
CREATE TABLE passkeys (
    id            BLOB PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES user_accounts (id),
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT
);
CREATE INDEX passkeys_user ON passkeys (user_id, created_at);
