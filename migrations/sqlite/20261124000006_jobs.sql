-- Long-running work (an outlet import) runs as a job whose progress the console shows.
CREATE TABLE jobs (
    id              BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    kind            TEXT NOT NULL,
    total           INTEGER NOT NULL,
    done            INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    summary         TEXT,
    created_at      TEXT NOT NULL,
    finished_at     TEXT
);
