-- Fragment search at scale.

-- The people search (console) looks for a fragment in the address, the username and the
-- name: their trigrams in one index, through which a search gathers the accounts that hold a
-- fragment too rare to walk the list for (the predicate repeats this expression:
-- store::SearchedText::Person). Each organization's view of the name is tested after.
CREATE INDEX user_accounts_search_trgm ON user_accounts
    USING gin (lower(email || ' ' || username || ' ' || first_name || ' ' || last_name) gin_trgm_ops);

-- The planner estimates how many addresses hold a fragment from the sample ANALYZE keeps of
-- the indexed expression: 100 values by default, so a fragment one address in forty holds
-- (`smith` among 200,000 people) was often missing from it and estimated at one in 10,000,
-- and the connector list's email filter gathered 5,000 accounts' connectors (67 ms) where
-- walking the list finds its page in 10 ms. A thousand values: estimated 4,605 of 5,038.
-- (`brigade synth` records this with the index it drops for a load and sets it again.)
ALTER INDEX user_accounts_email_trgm ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX user_accounts_search_trgm ALTER COLUMN 1 SET STATISTICS 1000;

-- A page is 50 rows: parallel workers only add their start-up (the email filter's walk
-- for `smith`: 40 ms with two workers, 10 ms without) and take the cores other requests
-- need. Set on the tables, so that it holds through connection poolers.
ALTER TABLE user_connectors SET (parallel_workers = 0);
ALTER TABLE memberships SET (parallel_workers = 0);
ALTER TABLE user_accounts SET (parallel_workers = 0);

ANALYZE user_accounts;
