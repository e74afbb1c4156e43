-- The connector list's email filter walks an organization's connectors in key order and tests
-- each one's address (`member_email`) until the page is full: for a common fragment, or one
-- of 1-2 characters. Through (organization_id, id) it read every walked connector from the
-- table, a search by rowid each (`smith` walks 1,686 connectors for a page of a million).
-- With the address in the index the walk tests it there and reads from the table only the
-- rows it keeps: 0.42-0.63 ms -> 0.25-0.42 ms for that walk. The index keeps its name: it
-- still gives an organization's connectors in key order, to every list.
DROP INDEX user_connectors_org;
CREATE INDEX user_connectors_org ON user_connectors (organization_id, id, member_email);
