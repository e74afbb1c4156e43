-- The account's last completed sign-in (written with each `sign_ins` row), for the people
-- list's "never signed in" and "not signed in for N days".
ALTER TABLE user_accounts ADD COLUMN last_signed_in_at text COLLATE "C";
UPDATE user_accounts SET last_signed_in_at =
    (SELECT MAX(s.signed_in_at) FROM sign_ins s WHERE s.user_id = user_accounts.id);

-- A verification link sent for a membership is that organization's invitation: pending until
-- used (accepted), expired after 7 days, or revoked by the organization.
ALTER TABLE verification_tokens ADD COLUMN membership_id uuid REFERENCES memberships (id);
ALTER TABLE verification_tokens ADD COLUMN revoked_at text COLLATE "C";
CREATE INDEX verification_tokens_membership ON verification_tokens (membership_id, created_at);
