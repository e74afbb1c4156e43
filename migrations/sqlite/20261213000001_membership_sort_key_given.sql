-- A writer that names a membership's sort key is trusted with it, as with a connector's copy
-- of its member's address (`…12000001`): only `brigade synth` does, which made the names and
-- the address (and its test holds every key equal to what this trigger would write). Its
-- 200,000 memberships no longer each take a second write to set the key. Every other insert
-- leaves it to the trigger, as before (a key is never empty: it holds two separators).
DROP TRIGGER memberships_sort_key_insert;

CREATE TRIGGER memberships_sort_key_insert AFTER INSERT ON memberships
WHEN new.sort_key = '' BEGIN
    UPDATE memberships SET sort_key = (
        SELECT CASE WHEN new.profile_visible THEN lower(a.last_name) ELSE '' END || char(1)
            || CASE WHEN new.profile_visible THEN lower(a.first_name) ELSE '' END || char(1)
            || lower(a.email)
          FROM user_accounts a WHERE a.id = new.user_id)
     WHERE id = new.id;
END;
