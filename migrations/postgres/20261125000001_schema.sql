-- The whole Brigade schema on PostgreSQL: the same tables, constraints, indexes and trigger
-- guarantees as migrations/sqlite (its state after 20261124000010), in native types.
-- Ids are uuid (v7). Timestamps are ISO 8601 UTC text with milliseconds, as on SQLite, so
-- they sort and compare as text the same way on both. Every text column uses the "C"
-- collation: byte order, as SQLite sorts, whatever the server's default locale.
-- Case-insensitive uniqueness is a unique index on lower(…); the domain stores emails
-- lower-cased.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    slug        text COLLATE "C" NOT NULL,
    name        text COLLATE "C" NOT NULL,
    kind        text COLLATE "C" NOT NULL CHECK (kind IN ('corporate', 'franchisee', 'independent')),
    console_edits_unbranded_api_users boolean NOT NULL DEFAULT TRUE,
    time_zone   text COLLATE "C" NOT NULL DEFAULT 'UTC',
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX organizations_slug ON organizations (lower(slug));

CREATE TABLE brands (
    id                      uuid PRIMARY KEY,
    owner_organization_id   uuid NOT NULL REFERENCES organizations (id),
    name                    text COLLATE "C" NOT NULL,
    console_edits_api_users boolean NOT NULL DEFAULT TRUE,
    created_at              text COLLATE "C" NOT NULL,
    updated_at              text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX brands_owner_name ON brands (owner_organization_id, lower(name));

CREATE TABLE franchisee_brands (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    brand_id        uuid NOT NULL REFERENCES brands (id),
    PRIMARY KEY (organization_id, brand_id)
);

CREATE TABLE outlets (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    brand_id        uuid REFERENCES brands (id),
    name            text COLLATE "C" NOT NULL,
    number          text COLLATE "C" NOT NULL,
    time_zone       text COLLATE "C",
    archived_at     text COLLATE "C",
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    UNIQUE (id, organization_id)
);
CREATE UNIQUE INDEX outlets_org_number ON outlets (organization_id, lower(number));

CREATE TABLE user_accounts (
    id              uuid PRIMARY KEY,
    email           text COLLATE "C" NOT NULL,
    username        text COLLATE "C" NOT NULL,
    first_name      text COLLATE "C" NOT NULL DEFAULT '',
    last_name       text COLLATE "C" NOT NULL DEFAULT '',
    mobile          text COLLATE "C",
    password_hash   text COLLATE "C",
    session_version bigint NOT NULL DEFAULT 0,
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX user_accounts_email ON user_accounts (lower(email));
CREATE UNIQUE INDEX user_accounts_username ON user_accounts (lower(username));
-- Fragment search over addresses: trigrams of the lower-cased address (the predicate is
-- `lower(email) LIKE …`; ILIKE would not use this index).
CREATE INDEX user_accounts_email_trgm ON user_accounts USING gin (lower(email) gin_trgm_ops);

CREATE TABLE memberships (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    user_id             uuid NOT NULL REFERENCES user_accounts (id),
    status              text COLLATE "C" NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    managed_by          text COLLATE "C" NOT NULL DEFAULT 'console' CHECK (managed_by IN ('console', 'api', 'scim')),
    managed_by_brand_id uuid REFERENCES brands (id),
    default_outlet_id   uuid,
    all_reports_access  boolean NOT NULL DEFAULT FALSE,
    external_id         text COLLATE "C",
    profile_visible     boolean NOT NULL DEFAULT TRUE,
    sort_key            text COLLATE "C" NOT NULL DEFAULT '',
    created_at          text COLLATE "C" NOT NULL,
    updated_at          text COLLATE "C" NOT NULL,
    UNIQUE (organization_id, user_id),
    UNIQUE (id, organization_id),
    FOREIGN KEY (default_outlet_id, organization_id) REFERENCES outlets (id, organization_id)
);
CREATE INDEX memberships_user ON memberships (user_id);
CREATE INDEX memberships_org_updated ON memberships (organization_id, updated_at);
CREATE INDEX memberships_brand ON memberships (managed_by_brand_id) WHERE managed_by_brand_id IS NOT NULL;
CREATE INDEX memberships_org_sort ON memberships (organization_id, sort_key, id);
CREATE INDEX memberships_org_managed ON memberships (organization_id, managed_by, managed_by_brand_id);

CREATE TABLE roles (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    brand_id        uuid REFERENCES brands (id),
    name            text COLLATE "C" NOT NULL,
    type            text COLLATE "C" NOT NULL CHECK (type IN ('L', 'O')),
    partner_role    text COLLATE "C" NOT NULL CHECK (partner_role IN ('manager', 'viewer', 'api')),
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    UNIQUE (id, type)
);
CREATE UNIQUE INDEX roles_org_name ON roles (organization_id, lower(name));
CREATE INDEX roles_brand ON roles (brand_id) WHERE brand_id IS NOT NULL;

CREATE TABLE role_permissions (
    role_id    uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission text COLLATE "C" NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE report_roles (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name            text COLLATE "C" NOT NULL,
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX report_roles_org_name ON report_roles (organization_id, lower(name));

CREATE TABLE membership_report_roles (
    membership_id  uuid NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    report_role_id uuid NOT NULL REFERENCES report_roles (id),
    PRIMARY KEY (membership_id, report_role_id)
);

CREATE TABLE user_connectors (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    membership_id   uuid NOT NULL,
    type            text COLLATE "C" NOT NULL CHECK (type IN ('L', 'O')),
    outlet_id       uuid,
    role_id         uuid NOT NULL,
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    CHECK ((type = 'L' AND outlet_id IS NULL) OR (type = 'O' AND outlet_id IS NOT NULL)),
    FOREIGN KEY (membership_id, organization_id) REFERENCES memberships (id, organization_id) ON DELETE CASCADE,
    FOREIGN KEY (outlet_id, organization_id) REFERENCES outlets (id, organization_id),
    FOREIGN KEY (role_id, type) REFERENCES roles (id, type)
);
-- The same person, scope and role only once.
CREATE UNIQUE INDEX user_connectors_unique_grant
    ON user_connectors (membership_id, coalesce(outlet_id, '00000000-0000-0000-0000-000000000000'::uuid), role_id);
CREATE INDEX user_connectors_org ON user_connectors (organization_id, id);
CREATE INDEX user_connectors_org_outlet ON user_connectors (organization_id, outlet_id, id);
CREATE INDEX user_connectors_org_role ON user_connectors (organization_id, role_id, id);
CREATE INDEX user_connectors_org_type ON user_connectors (organization_id, type, id);
CREATE INDEX user_connectors_org_updated ON user_connectors (organization_id, updated_at);
CREATE INDEX user_connectors_membership ON user_connectors (membership_id);

CREATE TABLE connectors (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name            text COLLATE "C" NOT NULL,
    kind            text COLLATE "C" NOT NULL CHECK (kind IN ('hr', 'pos', 'identity_provider', 'other')),
    enabled         boolean NOT NULL DEFAULT TRUE,
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX connectors_org_name ON connectors (organization_id, lower(name));

CREATE TABLE api_tokens (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    role_id         uuid NOT NULL REFERENCES roles (id),
    outlet_id       uuid,
    name            text COLLATE "C" NOT NULL,
    token_hash      text COLLATE "C" NOT NULL UNIQUE,
    created_by      uuid REFERENCES user_accounts (id),
    created_at      text COLLATE "C" NOT NULL,
    last_used_at    text COLLATE "C",
    revoked_at      text COLLATE "C",
    FOREIGN KEY (outlet_id, organization_id) REFERENCES outlets (id, organization_id)
);
CREATE INDEX api_tokens_org ON api_tokens (organization_id, id);

CREATE TABLE verification_tokens (
    token_hash text COLLATE "C" PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES user_accounts (id),
    created_at text COLLATE "C" NOT NULL,
    expires_at text COLLATE "C" NOT NULL,
    used_at    text COLLATE "C"
);
CREATE INDEX verification_tokens_user ON verification_tokens (user_id);

-- Console sessions (tower-sessions' PostgreSQL store layout).
CREATE TABLE sessions (
    id          text COLLATE "C" PRIMARY KEY,
    data        bytea NOT NULL,
    expiry_date timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry_date);

-- Append-only record of every change.
CREATE TABLE audit_events (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id uuid REFERENCES organizations (id),
    actor_user_id   uuid REFERENCES user_accounts (id),
    actor_token_id  uuid REFERENCES api_tokens (id),
    via             text COLLATE "C" NOT NULL CHECK (via IN ('console', 'api', 'scim', 'cli', 'system')),
    action          text COLLATE "C" NOT NULL,
    target_type     text COLLATE "C" NOT NULL,
    target_id       uuid,
    before_json     text COLLATE "C",
    after_json      text COLLATE "C",
    created_at      text COLLATE "C" NOT NULL
);
CREATE INDEX audit_events_org_time ON audit_events (organization_id, created_at);
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Failed sign-ins per account and per client address, shared by every app server.
CREATE TABLE sign_in_failures (
    key       text COLLATE "C" NOT NULL,
    failed_at text COLLATE "C" NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, failed_at);

-- Mail is queued in the transaction that causes it and delivered after commit.
CREATE TABLE mail_queue (
    id         uuid PRIMARY KEY,
    recipient  text COLLATE "C" NOT NULL,
    subject    text COLLATE "C" NOT NULL,
    body       text COLLATE "C" NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    sent_at    text COLLATE "C",
    attempts   bigint NOT NULL DEFAULT 0,
    last_error text COLLATE "C",
    -- a server delivering the message holds it until then (no other server sends it twice)
    claimed_until text COLLATE "C"
);
CREATE INDEX mail_queue_unsent ON mail_queue (created_at) WHERE sent_at IS NULL;

CREATE TABLE setup_tokens (
    token_hash text COLLATE "C" PRIMARY KEY,
    created_at text COLLATE "C" NOT NULL,
    used_at    text COLLATE "C"
);

CREATE TABLE jobs (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    kind            text COLLATE "C" NOT NULL,
    total           bigint NOT NULL,
    done            bigint NOT NULL DEFAULT 0,
    status          text COLLATE "C" NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    summary         text COLLATE "C",
    created_at      text COLLATE "C" NOT NULL,
    finished_at     text COLLATE "C"
);

CREATE TABLE franchise_invitations (
    id              uuid PRIMARY KEY,
    brand_id        uuid NOT NULL REFERENCES brands (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    invited_by      uuid REFERENCES user_accounts (id),
    created_at      text COLLATE "C" NOT NULL,
    answered_at     text COLLATE "C",
    answer          text COLLATE "C" CHECK (answer IN ('accepted', 'declined', 'withdrawn')),
    CHECK ((answered_at IS NULL) = (answer IS NULL))
);
CREATE UNIQUE INDEX franchise_invitations_open
    ON franchise_invitations (brand_id, organization_id) WHERE answered_at IS NULL;
CREATE INDEX franchise_invitations_invitee
    ON franchise_invitations (organization_id) WHERE answered_at IS NULL;

-- The people list's sort key (see migrations/sqlite/20261124000009): the names as the
-- membership's organization sees them (hidden names sort as empty), then the address,
-- lower-cased, kept by triggers.
CREATE FUNCTION membership_sort_key(visible boolean, first_name text, last_name text, email text)
    RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN visible THEN lower(last_name) ELSE '' END || chr(1)
        || CASE WHEN visible THEN lower(first_name) ELSE '' END || chr(1)
        || lower(email)
$$;

CREATE FUNCTION memberships_sort_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT membership_sort_key(NEW.profile_visible, a.first_name, a.last_name, a.email)
      INTO NEW.sort_key
      FROM user_accounts a WHERE a.id = NEW.user_id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER memberships_sort_key BEFORE INSERT OR UPDATE OF profile_visible, user_id
    ON memberships FOR EACH ROW EXECUTE FUNCTION memberships_sort_key();

CREATE FUNCTION user_accounts_sort_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE memberships
       SET sort_key = membership_sort_key(profile_visible, NEW.first_name, NEW.last_name, NEW.email)
     WHERE user_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER user_accounts_sort_key AFTER UPDATE OF first_name, last_name, email
    ON user_accounts FOR EACH ROW EXECUTE FUNCTION user_accounts_sort_key();
