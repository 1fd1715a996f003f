-- A turned-around database an operator rolls back to the source: written (with the freeze point
-- taken on the destination once its applications' roles were frozen there) before anything else
-- changes, so that a pgferry stopped at any step resumes. Each later step records when it was done:
-- the source's sequences set from the destination's, every table verified equal, and at the end
-- the rollback itself (the reverse direction is then removed and the source unfrozen).
CREATE TABLE pgferry.rollback (
    mapping        text        NOT NULL,
    database       text        NOT NULL,
    requested_at   timestamptz NOT NULL DEFAULT now(),
    requested_by   text        NOT NULL,
    drain_lsn      bigint      NOT NULL,
    drain_lsn_text text        NOT NULL,
    sequences_at   timestamptz,
    verified_at    timestamptz,
    rolled_back_at timestamptz,
    PRIMARY KEY (mapping, database)
);
