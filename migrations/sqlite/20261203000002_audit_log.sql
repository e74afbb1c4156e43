-- The audit log page and API: each event names the person it concerns (a person's record,
-- their account, or one of their grants), so "everything that happened to this person" is
-- one indexed read; events are paged newest first by id within the organization.
ALTER TABLE audit_events ADD COLUMN subject_user_id BLOB;

-- Events recorded before the column existed learn their person once, here (the trigger that
-- keeps the trail append-only steps aside for this one statement and is restored unchanged).
DROP TRIGGER audit_events_no_update;
UPDATE audit_events SET subject_user_id = target_id
 WHERE target_type IN ('user', 'user_account');
UPDATE audit_events
   SET subject_user_id = unhex(replace(coalesce(json_extract(after_json, '$.user.id'),
                                                json_extract(before_json, '$.user.id')), '-', ''))
 WHERE target_type = 'user_connector';
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE INDEX audit_events_org_id ON audit_events (organization_id, id);
CREATE INDEX audit_events_org_subject ON audit_events (organization_id, subject_user_id, id);
CREATE INDEX audit_events_org_actor ON audit_events (organization_id, actor_user_id, id);
CREATE INDEX audit_events_org_client ON audit_events (organization_id, actor_token_id, id);

-- "View the audit log" is a permission of its own; roles that could already do everything
-- keep doing everything.
INSERT OR IGNORE INTO role_permissions (role_id, permission)
SELECT role_id, 'audit.view' FROM role_permissions
 WHERE permission IN ('users.view', 'users.manage', 'connectors.view', 'connectors.manage',
                      'roles.manage', 'api_tokens.manage', 'settings.manage', 'outlets.manage')
 GROUP BY role_id
HAVING count(DISTINCT permission) = 8;
