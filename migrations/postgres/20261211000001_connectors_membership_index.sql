-- A person's grants are found through user_connectors_unique_grant, whose first column is
-- membership_id: the index on membership_id alone served no query that one does not (the
-- plans read the same rows through it, and the role check reads only the index), and every
-- write of a grant and every bulk load's rebuild paid for it.
DROP INDEX IF EXISTS user_connectors_membership;
-- A bulk load interrupted before it rebuilt its indexes must not build this one again.
DELETE FROM bulk_load_indexes WHERE name = 'user_connectors_membership';
