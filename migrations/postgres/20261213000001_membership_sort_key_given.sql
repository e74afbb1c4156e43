-- A writer that names a membership's sort key is trusted with it, as with a connector's copy
-- of its member's address (`…12000001`): only `brigade synth` does, which made the names and
-- the address (and its test holds every key equal to membership_sort_key of them). Every
-- other insert leaves it to the trigger, as before (a key is never empty: it holds two
-- separators).
DROP TRIGGER memberships_sort_key ON memberships;

CREATE TRIGGER memberships_sort_key_insert BEFORE INSERT ON memberships
    FOR EACH ROW WHEN (NEW.sort_key = '') EXECUTE FUNCTION memberships_sort_key();

CREATE TRIGGER memberships_sort_key BEFORE UPDATE OF profile_visible, user_id ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_sort_key();
