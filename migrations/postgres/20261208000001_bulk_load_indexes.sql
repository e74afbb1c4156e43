-- The indexes `brigade synth` dropped to load faster, each with the statement that builds it
-- again. The load rebuilds them and empties this table in one transaction; a load that
-- stopped half-way (killed, or failed while rebuilding) leaves its rows here, and the next
-- start of Brigade on this database builds them before anything else runs.
CREATE TABLE bulk_load_indexes (
    name       TEXT PRIMARY KEY,
    definition TEXT NOT NULL
);
