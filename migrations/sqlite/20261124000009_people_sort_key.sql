-- The people list pages by keyset on the names as each organization sees them (hidden names
-- sort as empty, so the order never betrays them): last name, first name, email, lower-cased,
-- kept in the membership by triggers and indexed with the organization. No page counts or
-- sorts an organization's 200,000 people.
ALTER TABLE memberships ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';

UPDATE memberships SET sort_key = (
    SELECT CASE WHEN memberships.profile_visible THEN lower(a.last_name) ELSE '' END || char(1)
        || CASE WHEN memberships.profile_visible THEN lower(a.first_name) ELSE '' END || char(1)
        || lower(a.email)
      FROM user_accounts a WHERE a.id = memberships.user_id);

CREATE INDEX memberships_org_sort ON memberships (organization_id, sort_key, id);

CREATE TRIGGER memberships_sort_key_insert AFTER INSERT ON memberships BEGIN
    UPDATE memberships SET sort_key = (
        SELECT CASE WHEN new.profile_visible THEN lower(a.last_name) ELSE '' END || char(1)
            || CASE WHEN new.profile_visible THEN lower(a.first_name) ELSE '' END || char(1)
            || lower(a.email)
          FROM user_accounts a WHERE a.id = new.user_id)
     WHERE id = new.id;
END;

CREATE TRIGGER memberships_sort_key_visibility AFTER UPDATE OF profile_visible ON memberships BEGIN
    UPDATE memberships SET sort_key = (
        SELECT CASE WHEN new.profile_visible THEN lower(a.last_name) ELSE '' END || char(1)
            || CASE WHEN new.profile_visible THEN lower(a.first_name) ELSE '' END || char(1)
            || lower(a.email)
          FROM user_accounts a WHERE a.id = new.user_id)
     WHERE id = new.id;
END;

CREATE TRIGGER user_accounts_sort_key AFTER UPDATE OF first_name, last_name, email ON user_accounts BEGIN
    UPDATE memberships SET sort_key =
        CASE WHEN profile_visible THEN lower(new.last_name) ELSE '' END || char(1)
        || CASE WHEN profile_visible THEN lower(new.first_name) ELSE '' END || char(1)
        || lower(new.email)
     WHERE user_id = new.id;
END;
