-- A snapshot copy's progress, written on the destination as the copy goes, so that a copy
-- interrupted by a restart of pgferry or of the source resumes instead of starting over (see
-- docs/copying.md). One row per copy into the database of that OID (a database dropped and made
-- again is a new copy: the planner trusts a row only while its OID names the database there).
-- schema_at: the schema as of the slot's snapshot restored (before it nothing is kept);
-- rest_at: the rest of the schema (foreign keys, triggers...) restored after every table;
-- resumed_at/resumes/kept/synced: the last resume, how many tables it kept and how many it gave
-- to PostgreSQL's table synchronization. "Complete" and "start over" delete the rows.
CREATE TABLE pgferry.snapshot_copy (
    mapping      text        NOT NULL,
    database     text        NOT NULL,
    database_oid oid         NOT NULL,
    slot         text        NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    tables       integer,
    schema_at    timestamptz,
    rest_at      timestamptz,
    resumed_at   timestamptz,
    resumes      integer     NOT NULL DEFAULT 0,
    kept         integer,
    synced       integer,
    PRIMARY KEY (mapping, database)
);

-- Each table of a snapshot copy whose rows are all in (written after the last of its rows
-- committed: a table without a row here is emptied and copied again), when its indexes and keys
-- were built, and where its rows came from: 'snapshot' (the copy's own workers, from the slot's
-- snapshot) or 'table-sync' (given to PostgreSQL's table synchronization by a resume).
CREATE TABLE pgferry.copied_table (
    mapping     text        NOT NULL,
    database    text        NOT NULL,
    schema_name text        NOT NULL,
    table_name  text        NOT NULL,
    origin      text        NOT NULL CHECK (origin IN ('snapshot', 'table-sync')),
    rows        bigint,
    copied_at   timestamptz NOT NULL DEFAULT now(),
    indexed_at  timestamptz,
    PRIMARY KEY (mapping, database, schema_name, table_name),
    FOREIGN KEY (mapping, database) REFERENCES pgferry.snapshot_copy ON DELETE CASCADE
);
