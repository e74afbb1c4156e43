-- The whole Brigade domain (see ../shared/design/DOMAIN.md and ARCHITECTURE.md).
-- Ids are UUIDs (v7, so they sort by creation) stored as 16-byte BLOBs (sqlx's native encoding).
-- Timestamps are ISO 8601 UTC text with milliseconds ("2026-01-01T10:00:00.000Z"),
-- so they sort and compare as text.
-- Case-insensitive uniqueness uses COLLATE NOCASE; the domain also stores emails lower-cased.

CREATE TABLE organizations (
    id          BLOB PRIMARY KEY NOT NULL,
    slug        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('corporate', 'franchisee', 'independent')),
    -- "API User Permissions" toggle for API-managed people that belong to no brand.
    console_edits_unbranded_api_users INTEGER NOT NULL DEFAULT 1 CHECK (console_edits_unbranded_api_users IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- A brand is owned by one corporate organization.
CREATE TABLE brands (
    id                      BLOB PRIMARY KEY NOT NULL,
    owner_organization_id   BLOB NOT NULL REFERENCES organizations (id),
    name                    TEXT NOT NULL,
    -- "API User Permissions" toggle for this brand; only the owner changes it.
    console_edits_api_users INTEGER NOT NULL DEFAULT 1 CHECK (console_edits_api_users IN (0, 1)),
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    UNIQUE (owner_organization_id, name COLLATE NOCASE)
);

-- A franchisee organization runs outlets under one or more brands.
CREATE TABLE franchisee_brands (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    brand_id        BLOB NOT NULL REFERENCES brands (id),
    PRIMARY KEY (organization_id, brand_id)
);

CREATE TABLE outlets (
    id              BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    brand_id        BLOB REFERENCES brands (id),
    name            TEXT NOT NULL,
    number          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (organization_id, number COLLATE NOCASE),
    -- target of composite foreign keys that keep a connector's outlet inside its organization
    UNIQUE (id, organization_id)
);

-- One person, global across organizations.
CREATE TABLE user_accounts (
    id            BLOB PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    mobile        TEXT,
    -- absent until the person verifies and sets a password
    password_hash TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- A person inside one organization.
CREATE TABLE memberships (
    id                  BLOB PRIMARY KEY NOT NULL,
    organization_id     BLOB NOT NULL REFERENCES organizations (id),
    user_id             BLOB NOT NULL REFERENCES user_accounts (id),
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    managed_by          TEXT NOT NULL DEFAULT 'console' CHECK (managed_by IN ('console', 'api', 'scim')),
    managed_by_brand_id BLOB REFERENCES brands (id),
    default_outlet_id   BLOB,
    all_reports_access  INTEGER NOT NULL DEFAULT 0 CHECK (all_reports_access IN (0, 1)),
    external_id         TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (organization_id, user_id),
    UNIQUE (id, organization_id),
    FOREIGN KEY (default_outlet_id, organization_id) REFERENCES outlets (id, organization_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Roles: typed L (library / whole organization) or O (one outlet).
-- brand_id set: a brand role, defined by the corporate owner, read-only for linked franchisees.
CREATE TABLE roles (
    id              BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    brand_id        BLOB REFERENCES brands (id),
    name            TEXT NOT NULL,
    type            TEXT NOT NULL CHECK (type IN ('L', 'O')),
    partner_role    TEXT NOT NULL CHECK (partner_role IN ('manager', 'viewer', 'api')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (organization_id, name COLLATE NOCASE),
    -- target of the connector's (role_id, type) foreign key: a role only sits on a connector of its type
    UNIQUE (id, type)
);
CREATE INDEX roles_brand ON roles (brand_id) WHERE brand_id IS NOT NULL;

CREATE TABLE role_permissions (
    role_id    BLOB NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
) WITHOUT ROWID;

-- Report roles: a second, separate list (which reports a person sees).
CREATE TABLE report_roles (
    id              BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (organization_id, name COLLATE NOCASE)
);

CREATE TABLE membership_report_roles (
    membership_id  BLOB NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    report_role_id BLOB NOT NULL REFERENCES report_roles (id),
    PRIMARY KEY (membership_id, report_role_id)
) WITHOUT ROWID;

-- The unit of access: membership x scope x role.
-- type L: the whole organization (outlet_id NULL); type O: one outlet of the same organization.
CREATE TABLE user_connectors (
    id              BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    membership_id   BLOB NOT NULL,
    type            TEXT NOT NULL CHECK (type IN ('L', 'O')),
    outlet_id       BLOB,
    role_id         BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK ((type = 'L' AND outlet_id IS NULL) OR (type = 'O' AND outlet_id IS NOT NULL)),
    FOREIGN KEY (membership_id, organization_id) REFERENCES memberships (id, organization_id) ON DELETE CASCADE,
    FOREIGN KEY (outlet_id, organization_id) REFERENCES outlets (id, organization_id),
    FOREIGN KEY (role_id, type) REFERENCES roles (id, type)
);
-- The same person, scope and role only once.
CREATE UNIQUE INDEX user_connectors_unique_grant
    ON user_connectors (membership_id, ifnull(outlet_id, x''), role_id);
-- Keyset paging orders by id; each filter has an index that also yields that order.
CREATE INDEX user_connectors_org ON user_connectors (organization_id, id);
CREATE INDEX user_connectors_org_outlet ON user_connectors (organization_id, outlet_id, id);
CREATE INDEX user_connectors_org_role ON user_connectors (organization_id, role_id, id);
CREATE INDEX user_connectors_org_type ON user_connectors (organization_id, type, id);
CREATE INDEX user_connectors_org_updated ON user_connectors (organization_id, updated_at);
CREATE INDEX user_connectors_membership ON user_connectors (membership_id);

-- External systems (HR, POS, identity providers).
CREATE TABLE connectors (
    id              BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('hr', 'pos', 'identity_provider', 'other')),
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (organization_id, name COLLATE NOCASE)
);

-- A credential of an API client: a service user of one organization holding one role (at one
-- outlet when the role is of type O). Stored only as a SHA-256 hash.
CREATE TABLE api_tokens (
    id              BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    role_id         BLOB NOT NULL REFERENCES roles (id),
    outlet_id       BLOB,
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    last_used_at    TEXT,
    revoked_at      TEXT,
    FOREIGN KEY (outlet_id, organization_id) REFERENCES outlets (id, organization_id)
);

-- One-time links that verify an address and set a password. Stored only as a SHA-256 hash.
CREATE TABLE verification_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES user_accounts (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX verification_tokens_user ON verification_tokens (user_id);

-- Console sessions (tower-sessions' SQLite store layout), so they survive a restart.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry_date);

-- Append-only record of every change.
CREATE TABLE audit_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id BLOB REFERENCES organizations (id),
    actor_user_id   BLOB REFERENCES user_accounts (id),
    actor_token_id  BLOB REFERENCES api_tokens (id),
    via             TEXT NOT NULL CHECK (via IN ('console', 'api', 'scim', 'cli', 'system')),
    action          TEXT NOT NULL,
    target_type     TEXT NOT NULL,
    target_id       BLOB,
    before_json     TEXT,
    after_json      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX audit_events_org_time ON audit_events (organization_id, created_at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
