package dev.pgferry.monitor;

import dev.pgferry.ownership.Ownership;
import java.util.Map;
import java.util.Set;

/**
 * What one tick saw of a whole server: its databases, server-wide facts, and on a destination
 * pgferry's records from its control schema: "mapping/database" completions, started mappings,
 * and the ownership records of the databases it created or was handed, by "mapping/database".
 * {@code error} is set (and the rest empty) when the server could not be reached;
 * {@code controlSchemaError} when the records could not be read or are not to be trusted (then
 * they are left empty, and nothing they would allow is done).
 */
public record ObservedInstance(String name, String error, ServerFacts facts, Map<String, DatabaseInfo> databases,
        Set<String> completions, Set<String> startedMappings, String controlSchemaError,
        Map<String, Ownership.Record> ownershipRecords, Set<String> reversals, Map<String, Rollback> rollbacks,
        Map<String, CopyRecord> copies) {

    public ObservedInstance {
        ownershipRecords = ownershipRecords == null ? Map.of() : Map.copyOf(ownershipRecords);
        reversals = reversals == null ? Set.of() : Set.copyOf(reversals);
        rollbacks = rollbacks == null ? Map.of() : Map.copyOf(rollbacks);
        copies = copies == null ? Map.of() : Map.copyOf(copies);
    }

    public ObservedInstance(String name, String error, ServerFacts facts, Map<String, DatabaseInfo> databases,
            Set<String> completions, Set<String> startedMappings, String controlSchemaError,
            Map<String, Ownership.Record> ownershipRecords, Set<String> reversals, Map<String, Rollback> rollbacks) {
        this(name, error, facts, databases, completions, startedMappings, controlSchemaError, ownershipRecords,
                reversals, rollbacks, Map.of());
    }

    /**
     * A snapshot copy as recorded on the destination (pgferry.snapshot_copy): the OID of the
     * database it copies into, whether the schema as of its snapshot and the rest of the schema
     * were restored, how many tables it fills and how many it finished from the snapshot (with how
     * many rows), and its
     * last resume (null: none) with the tables it kept and gave to table synchronization.
     */
    public record CopyRecord(long databaseOid, boolean schemaRestored, boolean restRestored, int tables, int copied,
            long copiedRows, java.time.Instant resumedAt, int kept, int synced) {
    }

    /**
     * The copy record of the database, if it names the database there now (by OID): one of an
     * earlier database of that name, dropped since, is no record of this one.
     */
    public java.util.Optional<CopyRecord> copy(String mapping, String database) {
        CopyRecord record = copies.get(completionKey(mapping, database));
        Long oid = databaseOid(database);
        return record != null && oid != null && oid == record.databaseOid() ? java.util.Optional.of(record)
                : java.util.Optional.empty();
    }

    /**
     * An operator's rollback of a turned-around database, as recorded on the destination: the
     * freeze point taken there, and when each later step was done (null: not yet).
     */
    public record Rollback(long drainLsn, String drainLsnText, java.time.Instant sequencesAt,
            java.time.Instant verifiedAt, java.time.Instant rolledBackAt) {
    }

    /** The database's rollback, if an operator asked for one. */
    public java.util.Optional<Rollback> rollback(String mapping, String database) {
        return java.util.Optional.ofNullable(rollbacks.get(completionKey(mapping, database)));
    }

    /** Without reversals recorded. */
    public ObservedInstance(String name, String error, ServerFacts facts, Map<String, DatabaseInfo> databases,
            Set<String> completions, Set<String> startedMappings, String controlSchemaError,
            Map<String, Ownership.Record> ownershipRecords) {
        this(name, error, facts, databases, completions, startedMappings, controlSchemaError, ownershipRecords,
                Set.of(), Map.of());
    }

    public ObservedInstance(String name, String error, ServerFacts facts, Map<String, DatabaseInfo> databases,
            Set<String> completions, Set<String> startedMappings) {
        this(name, error, facts, databases, completions, startedMappings, null, Map.of());
    }

    public static ObservedInstance unreachable(String name, String error) {
        return new ObservedInstance(name, error, null, Map.of(), Set.of(), Set.of());
    }

    public boolean reachable() {
        return error == null;
    }

    public int serverMajor() {
        return facts == null ? 0 : facts.major();
    }

    /** Whether an operator turned the database's replication around (reverse): recorded on the destination. */
    public boolean reversed(String mapping, String database) {
        return reversals.contains(completionKey(mapping, database));
    }

    public boolean completed(String mapping, String database) {
        return completions.contains(completionKey(mapping, database));
    }

    /** pgferry's ownership record of the database for the mapping, or null. */
    public Ownership.Record ownershipRecord(String mapping, String database) {
        return ownershipRecords.get(completionKey(mapping, database));
    }

    /** The database's OID, or null when there is no such database. */
    public Long databaseOid(String database) {
        DatabaseInfo info = databases.get(database);
        return info == null ? null : info.oid() == null ? 0L : info.oid();
    }

    public static String completionKey(String mapping, String database) {
        return mapping + "/" + database;
    }
}
