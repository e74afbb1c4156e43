-- Safe retries: the answer to a POST sent with an Idempotency-Key, kept 24 hours per API
-- client and key, so a retry gets the first answer instead of a second write. Claimed in the
-- transaction that writes (a concurrent retry waits for it, on any app server); `item` is 0
-- for a request, or 1 + the index of an item of a bulk request (each its own transaction).
CREATE TABLE idempotency_keys (
    client          TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    item            INTEGER NOT NULL,
    fingerprint     TEXT NOT NULL,
    status          INTEGER,
    body            TEXT,
    etag            TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (client, idempotency_key, item)
) WITHOUT ROWID;
