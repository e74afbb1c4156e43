-- SCIM connections: an API client of kind 'scim' opens /scim/v2 only (and an API client of
-- kind 'api' never opens it). A connection names the role and outlet an identity provider's new
-- people start with.
ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'scim'));
ALTER TABLE api_tokens ADD COLUMN scim_role_id BLOB REFERENCES roles (id);
ALTER TABLE api_tokens ADD COLUMN scim_outlet_id BLOB REFERENCES outlets (id);

-- A membership an identity provider deleted: deactivated and kept (nothing is lost), no longer
-- a resource of /scim/v2 (404 there), still a person of the console and the API.
ALTER TABLE memberships ADD COLUMN scim_removed_at TEXT;

-- An external id (the identity provider's, or an employee number) names one membership of an
-- organization.
CREATE UNIQUE INDEX memberships_org_external_id ON memberships (organization_id, external_id)
    WHERE external_id IS NOT NULL;
