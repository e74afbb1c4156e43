-- Fragment search over people (email, username, name) without scanning: an FTS5 trigram index
-- (case-insensitive). Accounts have a BLOB primary key, so their implicit rowid may change on
-- VACUUM: the index is keyed by an explicit integer key of each account instead, and both are
-- kept by triggers.
CREATE TABLE account_search_keys (
    key        INTEGER PRIMARY KEY,
    account_id BLOB NOT NULL UNIQUE REFERENCES user_accounts (id)
);
CREATE VIRTUAL TABLE account_search USING fts5(email, username, full_name, tokenize = 'trigram');

INSERT INTO account_search_keys (account_id) SELECT id FROM user_accounts ORDER BY id;
INSERT INTO account_search (rowid, email, username, full_name)
SELECT k.key, a.email, a.username, a.first_name || ' ' || a.last_name
  FROM account_search_keys k JOIN user_accounts a ON a.id = k.account_id;

CREATE TRIGGER account_search_insert AFTER INSERT ON user_accounts BEGIN
    INSERT INTO account_search_keys (account_id) VALUES (new.id);
    INSERT INTO account_search (rowid, email, username, full_name)
    VALUES ((SELECT key FROM account_search_keys WHERE account_id = new.id),
            new.email, new.username, new.first_name || ' ' || new.last_name);
END;

CREATE TRIGGER account_search_update AFTER UPDATE OF email, username, first_name, last_name ON user_accounts BEGIN
    UPDATE account_search
       SET email = new.email, username = new.username, full_name = new.first_name || ' ' || new.last_name
     WHERE rowid = (SELECT key FROM account_search_keys WHERE account_id = new.id);
END;

CREATE TRIGGER account_search_delete AFTER DELETE ON user_accounts BEGIN
    DELETE FROM account_search WHERE rowid = (SELECT key FROM account_search_keys WHERE account_id = old.id);
    DELETE FROM account_search_keys WHERE account_id = old.id;
END;
