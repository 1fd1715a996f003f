-- A mapping configured in plan mode that an operator started from the dashboard or the API:
-- it acts as in run mode from then on, across restarts.
CREATE TABLE pgferry.start_request (
    mapping      text        PRIMARY KEY,
    requested_at timestamptz NOT NULL DEFAULT now(),
    requested_by text        NOT NULL
);
