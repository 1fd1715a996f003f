-- The destination databases pgferry created, or that an operator handed over to it (ADOPT_DATABASES):
-- pgferry changes, empties or drops a destination database only while a row here names it by its
-- OID, so a database dropped and created again by someone else under the same name is not taken
-- for pgferry's. A row is written before CREATE DATABASE with database_oid NULL and completed
-- with the OID right after; "complete" deletes it (the database then belongs to its users).
CREATE TABLE pgferry.owned_database (
    mapping      text        NOT NULL,
    database     text        NOT NULL,
    database_oid oid,                    -- NULL: CREATE DATABASE may be under way
    how          text        NOT NULL CHECK (how IN ('created', 'adopted')),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    recorded_by  text        NOT NULL,
    PRIMARY KEY (mapping, database)
);
