-- Bulk actions on people: one result per person of a job, in the order they were taken:
-- done, or refused with the reason.
CREATE TABLE job_results (
    job_id   BLOB NOT NULL REFERENCES jobs (id),
    position INTEGER NOT NULL,
    email    TEXT NOT NULL,
    outcome  TEXT NOT NULL CHECK (outcome IN ('done', 'refused')),
    reason   TEXT,
    PRIMARY KEY (job_id, position)
);
-- Who started a job: only they follow a bulk action's results (they name people).
ALTER TABLE jobs ADD COLUMN started_by BLOB;
