-- A writer that names a connector's copy of its account's address is trusted with it: only
-- `brigade synth` does, which generated the address (and its test holds every copy equal to
-- its account's). Its million connectors no longer each take a second write to set the copy.
-- Every other insert leaves it to the trigger, as before.
DROP TRIGGER user_connectors_member_email_insert;

CREATE TRIGGER user_connectors_member_email_insert AFTER INSERT ON user_connectors
WHEN new.member_email = '' BEGIN
    UPDATE user_connectors SET member_email = (
        SELECT lower(a.email) FROM memberships m JOIN user_accounts a ON a.id = m.user_id
         WHERE m.id = new.membership_id)
     WHERE rowid = new.rowid;
END;
