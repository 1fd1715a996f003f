-- pgferry's own records on each destination instance (maintenance database). Losing them loses
-- history, never data.

-- A database migration marked complete: the planner removes its replication objects and never
-- starts it again while this row exists.
CREATE TABLE pgferry.completion (
    mapping      text        NOT NULL,
    database     text        NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    completed_by text        NOT NULL,
    PRIMARY KEY (mapping, database)
);

-- Append-only log of operator actions.
CREATE TABLE pgferry.audit_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    actor    text        NOT NULL,
    action   text        NOT NULL,
    mapping  text,
    database text,
    detail   text
);
