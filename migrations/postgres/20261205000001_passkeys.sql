-- Passkeys (WebAuthn credentials): each names its account and is found at sign-in by its
-- credential id (base64url, unique across accounts). `credential` is webauthn-rs' Passkey as
-- JSON: the public key and the signature counter, nothing secret.
CREATE TABLE passkeys (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES user_accounts (id),
    credential_id text COLLATE "C" NOT NULL UNIQUE,
    name          text NOT NULL,
    credential    text NOT NULL,
    created_at    text COLLATE "C" NOT NULL,
    last_used_at  text COLLATE "C"
);
CREATE INDEX passkeys_user ON passkeys (user_id, created_at);
