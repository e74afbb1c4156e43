-- Single sign-on with OpenID Connect: at most one connection per organization (its issuer,
-- client and display name; the client secret sealed with BRIGADE_SECRET_KEY), the email
-- domains the operator claimed for it (a domain belongs to one organization at most), and
-- the identities (issuer, subject) linked to accounts at their first SSO sign-in.
CREATE TABLE sso_connections (
    organization_id      uuid PRIMARY KEY REFERENCES organizations (id),
    issuer               text COLLATE "C" NOT NULL,
    client_id            text COLLATE "C" NOT NULL,
    sealed_client_secret text COLLATE "C" NOT NULL,
    display_name         text NOT NULL,
    require_sso          boolean NOT NULL DEFAULT FALSE,
    created_at           text COLLATE "C" NOT NULL,
    updated_at           text COLLATE "C" NOT NULL
);

CREATE TABLE sso_domains (
    domain          text COLLATE "C" PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    created_at      text COLLATE "C" NOT NULL
);
CREATE INDEX sso_domains_organization ON sso_domains (organization_id);

CREATE TABLE sso_links (
    issuer     text COLLATE "C" NOT NULL,
    subject    text COLLATE "C" NOT NULL,
    user_id    uuid NOT NULL REFERENCES user_accounts (id),
    created_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_links_user ON sso_links (user_id);
