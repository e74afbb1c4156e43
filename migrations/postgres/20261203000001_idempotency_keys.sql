-- Safe retries: the answer to a POST sent with an Idempotency-Key, kept 24 hours per API
-- client and key, so a retry gets the first answer instead of a second write. Claimed in the
-- transaction that writes (a concurrent retry waits for it, on any app server); `item` is 0
-- for a request, or 1 + the index of an item of a bulk request (each its own transaction).
CREATE TABLE idempotency_keys (
    client          text COLLATE "C" NOT NULL,
    idempotency_key text COLLATE "C" NOT NULL,
    item            bigint NOT NULL,
    fingerprint     text COLLATE "C" NOT NULL,
    status          bigint,
    body            text,
    etag            text,
    created_at      bigint NOT NULL,
    PRIMARY KEY (client, idempotency_key, item)
);
