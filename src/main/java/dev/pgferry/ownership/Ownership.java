package dev.pgferry.ownership;

/**
 * Whose a destination database is, as pgferry's ownership record and the catalogs show it.
 * pgferry changes, empties or drops a destination database only when it is {@link State#OWNED}.
 * {@code empty}: the database holds no user object of any kind (every catalog row is from
 * initdb); meaningful only when the database exists.
 */
public record Ownership(State state, boolean empty, String detail) {

    public enum State {
        /** no database of that name on the destination: pgferry may create it */
        ABSENT,
        /** pgferry's record names this very database (by OID) */
        OWNED,
        /**
         * empty, and either created by pgferry (its record was written before CREATE DATABASE, the
         * OID not yet) or handed over by the operator (ADOPT_DATABASES): recorded as pgferry's next
         */
        CLAIMABLE,
        /** someone else's: never changed, emptied or dropped */
        FOREIGN,
        /** pgferry's records could not be read or are not trusted: nothing destructive is done */
        UNKNOWN
    }

    /** What pgferry's control schema says of one mapping's database. */
    public record Record(String how, Long databaseOid) {
    }

    /**
     * Pure: the ownership of one destination database.
     *
     * @param databaseOid the database's OID on the destination, null when there is none
     * @param recordsTrusted whether pgferry's control schema could be read and is its own
     * @param record pgferry's record for this mapping and database, null when none
     * @param adoptListed whether the operator listed it in ADOPT_DATABASES
     * @param userObjects how many user objects it holds (0: empty; negative: not counted)
     */
    public static Ownership of(Long databaseOid, boolean recordsTrusted, Record record, boolean adoptListed,
            long userObjects) {
        boolean empty = userObjects == 0;
        if (databaseOid == null) {
            return new Ownership(State.ABSENT, true, "absent on the destination: pgferry creates it");
        }
        if (!recordsTrusted) {
            return new Ownership(State.UNKNOWN, empty, "pgferry's ownership records on the destination cannot be "
                    + "read or are not its own");
        }
        if (record != null && databaseOid.equals(record.databaseOid())) {
            return new Ownership(State.OWNED, empty, "adopted".equals(record.how())
                    ? "handed over to pgferry (ADOPT_DATABASES), recorded with OID " + databaseOid
                    : "created by pgferry, recorded with OID " + databaseOid);
        }
        String objects = userObjects < 0 ? "user objects" : userObjects + " user object(s)";
        if (record != null && record.databaseOid() == null) {
            // pgferry stopped between CREATE DATABASE and recording the OID: only an empty database is
            // surely nothing but that creation
            return empty ? new Ownership(State.CLAIMABLE, true, "created by pgferry, which stopped before "
                    + "recording its OID; it is still empty")
                    : new Ownership(State.FOREIGN, false, "pgferry recorded that it was creating it but not which "
                            + "database it created, and the one there holds " + objects);
        }
        if (adoptListed) {
            return empty ? new Ownership(State.CLAIMABLE, true, "handed over in ADOPT_DATABASES and empty")
                    : new Ownership(State.FOREIGN, false, "listed in ADOPT_DATABASES but it holds " + objects
                            + "; only an empty database is handed over");
        }
        if (record != null) {
            return new Ownership(State.FOREIGN, empty, "the database pgferry created under that name (OID "
                    + record.databaseOid() + ") is gone; this one (OID " + databaseOid + ", " + objects
                    + ") was created by someone else");
        }
        return new Ownership(State.FOREIGN, empty, "it was not created by pgferry (no ownership record) and holds "
                + objects);
    }

    /** An absent database. */
    public static Ownership absent() {
        return of(null, true, null, false, 0);
    }

    /** A database pgferry recorded as its own, with or without user objects in it. */
    public static Ownership owned(boolean empty) {
        return new Ownership(State.OWNED, empty, "created by pgferry");
    }

    public boolean owned() {
        return state == State.OWNED;
    }
}
