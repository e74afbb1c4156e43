-- "Manage settings" guards the organization's name and default time zone. Roles that manage
-- roles and permissions across their organization keep doing everything.
INSERT OR IGNORE INTO role_permissions (role_id, permission)
SELECT p.role_id, 'settings.manage' FROM role_permissions p JOIN roles r ON r.id = p.role_id
 WHERE p.permission = 'roles.manage' AND r.type = 'L';
