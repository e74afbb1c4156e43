-- A corporate organization invites an existing organization to run one of its brands; the
-- invitee's settings managers accept (the link is made) or decline; the inviter may withdraw.
CREATE TABLE franchise_invitations (
    id              BLOB PRIMARY KEY NOT NULL,
    brand_id        BLOB NOT NULL REFERENCES brands (id),
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    invited_by      BLOB REFERENCES user_accounts (id),
    created_at      TEXT NOT NULL,
    answered_at     TEXT,
    answer          TEXT CHECK (answer IN ('accepted', 'declined', 'withdrawn')),
    CHECK ((answered_at IS NULL) = (answer IS NULL))
);
-- One open invitation per brand and organization.
CREATE UNIQUE INDEX franchise_invitations_open
    ON franchise_invitations (brand_id, organization_id) WHERE answered_at IS NULL;
CREATE INDEX franchise_invitations_invitee
    ON franchise_invitations (organization_id) WHERE answered_at IS NULL;
