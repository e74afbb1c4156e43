-- Outlet groups (districts, regions): named sets of an organization's outlets. A connector of
-- an outlet role (O) may be scoped to a group instead of one outlet: it grants the role at
-- every outlet in the group at the moment access is decided.
CREATE TABLE outlet_groups (
    id              BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (id, organization_id)
);
CREATE UNIQUE INDEX outlet_groups_org_name ON outlet_groups (organization_id, lower(name));

CREATE TABLE outlet_group_outlets (
    group_id        BLOB NOT NULL,
    outlet_id       BLOB NOT NULL,
    organization_id BLOB NOT NULL,
    PRIMARY KEY (group_id, outlet_id),
    FOREIGN KEY (group_id, organization_id) REFERENCES outlet_groups (id, organization_id) ON DELETE CASCADE,
    FOREIGN KEY (outlet_id, organization_id) REFERENCES outlets (id, organization_id)
);
CREATE INDEX outlet_group_outlets_outlet ON outlet_group_outlets (outlet_id);

-- SQLite cannot change a CHECK constraint: the connectors' table is rebuilt with the group
-- column (nothing references it by foreign key).
CREATE TABLE user_connectors_new (
    id              BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    membership_id   BLOB NOT NULL,
    type            TEXT NOT NULL CHECK (type IN ('L', 'O')),
    outlet_id       BLOB,
    outlet_group_id BLOB,
    role_id         BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    starts_at       TEXT,
    ends_at         TEXT,
    CHECK ((type = 'L' AND outlet_id IS NULL AND outlet_group_id IS NULL)
        OR (type = 'O' AND (outlet_id IS NULL) <> (outlet_group_id IS NULL))),
    FOREIGN KEY (membership_id, organization_id) REFERENCES memberships (id, organization_id) ON DELETE CASCADE,
    FOREIGN KEY (outlet_id, organization_id) REFERENCES outlets (id, organization_id),
    FOREIGN KEY (outlet_group_id, organization_id) REFERENCES outlet_groups (id, organization_id),
    FOREIGN KEY (role_id, type) REFERENCES roles (id, type)
);
INSERT INTO user_connectors_new (id, organization_id, membership_id, type, outlet_id, role_id,
    created_at, updated_at, starts_at, ends_at)
SELECT id, organization_id, membership_id, type, outlet_id, role_id, created_at, updated_at,
    starts_at, ends_at FROM user_connectors;
DROP TABLE user_connectors;
ALTER TABLE user_connectors_new RENAME TO user_connectors;

-- The same person, scope and role only once.
CREATE UNIQUE INDEX user_connectors_unique_grant
    ON user_connectors (membership_id, ifnull(outlet_id, x''), ifnull(outlet_group_id, x''), role_id);
-- Keyset paging orders by id; each filter has an index that also yields that order.
CREATE INDEX user_connectors_org ON user_connectors (organization_id, id);
CREATE INDEX user_connectors_org_outlet ON user_connectors (organization_id, outlet_id, id);
CREATE INDEX user_connectors_org_group ON user_connectors (organization_id, outlet_group_id, id);
CREATE INDEX user_connectors_org_role ON user_connectors (organization_id, role_id, id);
CREATE INDEX user_connectors_org_type ON user_connectors (organization_id, type, id);
CREATE INDEX user_connectors_org_updated ON user_connectors (organization_id, updated_at);
CREATE INDEX user_connectors_membership ON user_connectors (membership_id);
