-- Dated access: a connector grants only from `starts_at` (inclusive) until `ends_at`
-- (exclusive), each open when NULL; decided when each request is decided.
ALTER TABLE user_connectors ADD COLUMN starts_at TEXT;
ALTER TABLE user_connectors ADD COLUMN ends_at TEXT;
