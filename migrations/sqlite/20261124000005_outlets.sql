-- Outlets are managed in the console and the API: their own time zone (NULL: the
-- organization's default), and archiving instead of deleting.
ALTER TABLE outlets ADD COLUMN time_zone TEXT;
ALTER TABLE outlets ADD COLUMN archived_at TEXT;

-- "Manage outlets" guards creating, changing, archiving and restoring outlets. Roles that
-- manage roles and permissions across their organization keep doing everything.
INSERT OR IGNORE INTO role_permissions (role_id, permission)
SELECT p.role_id, 'outlets.manage' FROM role_permissions p JOIN roles r ON r.id = p.role_id
 WHERE p.permission = 'roles.manage' AND r.type = 'L';
