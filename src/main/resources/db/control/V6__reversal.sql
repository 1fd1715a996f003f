-- A database migration an operator turned around after the switch (reverse): the destination's
-- changes flow back to the source. The planner then drops the forward subscription, slot and
-- publication and creates the reverse ones (publication and slot on the destination, subscription
-- in the source database), and never sets the forward direction up again while this row exists.
-- Written before anything is dropped, so that a pgferry stopped in between resumes the reversal.
CREATE TABLE pgferry.reversal (
    mapping     text        NOT NULL,
    database    text        NOT NULL,
    reversed_at timestamptz NOT NULL DEFAULT now(),
    reversed_by text        NOT NULL,
    PRIMARY KEY (mapping, database)
);
