-- API clients issued from the console, and who issued them (NULL: the command line).
ALTER TABLE api_tokens ADD COLUMN created_by BLOB REFERENCES user_accounts (id);
CREATE INDEX api_tokens_org ON api_tokens (organization_id, id);

-- "Manage API tokens" guards issuing and revoking API clients. Roles that manage roles and
-- permissions across their organization keep doing everything.
INSERT OR IGNORE INTO role_permissions (role_id, permission)
SELECT p.role_id, 'api_tokens.manage' FROM role_permissions p JOIN roles r ON r.id = p.role_id
 WHERE p.permission = 'roles.manage' AND r.type = 'L';
