-- The connector list's email filter, for a common fragment (`smith`: one address in forty)
-- or one too short for trigrams, walks the organization's connectors in key order and tests
-- each one's address until the page is full. Reading the address through the member and
-- the account cost two joined lookups per connector walked: `smith` walked 1,686 connectors
-- of the bench's million in 10-14 ms. Each connector now keeps its account's address,
-- lowered, kept by triggers (as on SQLite): the walk reads only the connectors (about 1 ms).
-- A rare fragment still gathers its accounts through `user_accounts_email_trgm`
-- (store::FragmentPlan says which).
ALTER TABLE user_connectors ADD COLUMN member_email text NOT NULL DEFAULT '';

UPDATE user_connectors c SET member_email = lower(a.email)
  FROM memberships m JOIN user_accounts a ON a.id = m.user_id
 WHERE m.id = c.membership_id;

-- (coalesce: a connector whose member does not exist fails on its foreign key, as before.)
CREATE FUNCTION user_connectors_member_email() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.member_email := coalesce((
        SELECT lower(a.email) FROM memberships m JOIN user_accounts a ON a.id = m.user_id
         WHERE m.id = NEW.membership_id), '');
    RETURN NEW;
END
$$;

-- A writer that names the address is trusted with it: only `brigade synth` does, which
-- generated the address (and its test holds every copy equal to its account's). Every other
-- insert leaves it to this trigger.
CREATE TRIGGER user_connectors_member_email_insert BEFORE INSERT ON user_connectors
    FOR EACH ROW WHEN (NEW.member_email = '') EXECUTE FUNCTION user_connectors_member_email();

CREATE TRIGGER user_connectors_member_email_member BEFORE UPDATE OF membership_id ON user_connectors
    FOR EACH ROW EXECUTE FUNCTION user_connectors_member_email();

CREATE FUNCTION user_accounts_connector_email() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_connectors SET member_email = lower(NEW.email)
     WHERE membership_id IN (SELECT id FROM memberships WHERE user_id = NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER user_accounts_connector_email AFTER UPDATE OF email ON user_accounts
    FOR EACH ROW WHEN (NEW.email IS DISTINCT FROM OLD.email)
    EXECUTE FUNCTION user_accounts_connector_email();

-- The planner estimates how many connectors a walk keeps from a sample of the addresses:
-- 1,000 values, as for the accounts' (`…09_search_at_scale.sql`), so that a fragment one
-- address in forty holds is in it and the walk stays the plan.
ALTER TABLE user_connectors ALTER COLUMN member_email SET STATISTICS 1000;
