-- What "freeze" changed on a mapping's source instance, written before the change is made, so
-- that "unfreeze" restores exactly the previous values, also after a restart. A row per change;
-- unfreeze deletes the rows it restored.
CREATE TABLE pgferry.freeze_change (
    mapping   text        NOT NULL,
    source    text        NOT NULL,  -- the source instance's configured name
    kind      text        NOT NULL CHECK (kind IN ('role-login', 'database-read-only')),
    target    text        NOT NULL,  -- the role or the database
    previous  text,                  -- role-login: 'true'; database-read-only: the database's own
                                     -- default_transaction_read_only, NULL when it had none
    frozen_at timestamptz NOT NULL DEFAULT now(),
    frozen_by text        NOT NULL,
    PRIMARY KEY (mapping, kind, target)
);
