-- Outlet groups (districts, regions): named sets of an organization's outlets. A connector of
-- an outlet role (O) may be scoped to a group instead of one outlet: it grants the role at
-- every outlet in the group at the moment access is decided.
CREATE TABLE outlet_groups (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name            text COLLATE "C" NOT NULL,
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    UNIQUE (id, organization_id)
);
CREATE UNIQUE INDEX outlet_groups_org_name ON outlet_groups (organization_id, lower(name));

CREATE TABLE outlet_group_outlets (
    group_id        uuid NOT NULL,
    outlet_id       uuid NOT NULL,
    organization_id uuid NOT NULL,
    PRIMARY KEY (group_id, outlet_id),
    FOREIGN KEY (group_id, organization_id) REFERENCES outlet_groups (id, organization_id) ON DELETE CASCADE,
    FOREIGN KEY (outlet_id, organization_id) REFERENCES outlets (id, organization_id)
);
CREATE INDEX outlet_group_outlets_outlet ON outlet_group_outlets (outlet_id);

ALTER TABLE user_connectors ADD COLUMN outlet_group_id uuid;
ALTER TABLE user_connectors ADD FOREIGN KEY (outlet_group_id, organization_id)
    REFERENCES outlet_groups (id, organization_id);
ALTER TABLE user_connectors DROP CONSTRAINT user_connectors_check;
ALTER TABLE user_connectors ADD CONSTRAINT user_connectors_place CHECK (
    (type = 'L' AND outlet_id IS NULL AND outlet_group_id IS NULL)
    OR (type = 'O' AND (outlet_id IS NULL) <> (outlet_group_id IS NULL)));
DROP INDEX user_connectors_unique_grant;
-- The same person, scope and role only once.
CREATE UNIQUE INDEX user_connectors_unique_grant ON user_connectors (membership_id,
    coalesce(outlet_id, '00000000-0000-0000-0000-000000000000'::uuid),
    coalesce(outlet_group_id, '00000000-0000-0000-0000-000000000000'::uuid), role_id);
CREATE INDEX user_connectors_org_group ON user_connectors (organization_id, outlet_group_id, id);
