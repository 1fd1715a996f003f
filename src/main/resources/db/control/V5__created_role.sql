-- The roles pgferry created on this destination, by OID, written in the transaction that creates
-- the role: the fidelity check counts a difference of such a role as drift, while a role that was
-- there before and is reused as ROLE_CONFLICT=merge says is listed as reused. Roles belong to the
-- whole server and outlive a mapping, so these rows stay after complete, like the audit log.
CREATE TABLE pgferry.created_role (
    role_oid   oid         PRIMARY KEY,
    role       text        NOT NULL,
    mapping    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
