-- Single sign-on with OpenID Connect: at most one connection per organization (its issuer,
-- client and display name; the client secret sealed with BRIGADE_SECRET_KEY), the email
-- domains the operator claimed for it (a domain belongs to one organization at most), and
-- the identities (issuer, subject) linked to accounts at their first SSO sign-in.
CREATE TABLE sso_connections (
    organization_id      BLOB PRIMARY KEY NOT NULL REFERENCES organizations (id),
    issuer               TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    sealed_client_secret TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    require_sso          INTEGER NOT NULL DEFAULT 0 CHECK (require_sso IN (0, 1)),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

CREATE TABLE sso_domains (
    domain          TEXT PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    created_at      TEXT NOT NULL
);
CREATE INDEX sso_domains_organization ON sso_domains (organization_id);

CREATE TABLE sso_links (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    BLOB NOT NULL REFERENCES user_accounts (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_links_user ON sso_links (user_id);
