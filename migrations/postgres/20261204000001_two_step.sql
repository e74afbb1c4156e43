-- Two-step sign-in (TOTP, RFC 6238). The secret is sealed with the server's key
-- (BRIGADE_SECRET_KEY): nonce and ciphertext, in base64. It counts once confirmed with a
-- code; last_step is the last time step whose code was accepted (a code is never taken twice).
CREATE TABLE two_step_secrets (
    user_id       uuid PRIMARY KEY REFERENCES user_accounts (id),
    sealed_secret text NOT NULL,
    created_at    text COLLATE "C" NOT NULL,
    confirmed_at  text COLLATE "C",
    last_step     bigint NOT NULL DEFAULT 0
);

-- Ten single-use recovery codes per enrolment, stored as SHA-256 of the account and the code.
CREATE TABLE recovery_codes (
    code_hash  text COLLATE "C" PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES user_accounts (id),
    created_at text COLLATE "C" NOT NULL,
    used_at    text COLLATE "C"
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- An organization may require two-step sign-in of everyone holding a manage permission there.
ALTER TABLE organizations ADD COLUMN require_two_step boolean NOT NULL DEFAULT FALSE;
