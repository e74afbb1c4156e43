-- The externalId an organization's identity provider gives a SCIM Group (one of the roles the
-- organization is offered). Kept per organization: a franchisee's identity provider naming a
-- brand role never changes it for the brand's owner.
CREATE TABLE scim_group_external_ids (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    role_id         BLOB NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    PRIMARY KEY (organization_id, role_id)
);
