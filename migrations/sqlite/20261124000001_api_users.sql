-- API-managed users, brands and franchisees (see ARCHITECTURE.md).

-- "Manage roles and permissions" guards the API User Permissions toggles. Roles that could
-- already do everything across their organization keep doing so.
INSERT OR IGNORE INTO role_permissions (role_id, permission)
SELECT r.id, 'roles.manage' FROM roles r
 WHERE r.type = 'L'
   AND (SELECT COUNT(*) FROM role_permissions p
         WHERE p.role_id = r.id
           AND p.permission IN ('users.view', 'users.manage', 'connectors.view', 'connectors.manage')) = 4;

-- Incremental sync of the users view (modified_since) reads memberships by change time.
CREATE INDEX memberships_org_updated ON memberships (organization_id, updated_at);
-- Brand-managed memberships of an account in franchisee organizations (external locations).
CREATE INDEX memberships_brand ON memberships (managed_by_brand_id) WHERE managed_by_brand_id IS NOT NULL;
