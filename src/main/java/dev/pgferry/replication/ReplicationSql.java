package dev.pgferry.replication;

import static dev.pgferry.pg.Identifiers.literal;
import static dev.pgferry.pg.Identifiers.qualified;
import static dev.pgferry.pg.Identifiers.quote;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The statements that create and drop replication objects. Pure: the exact strings are
 * unit-tested, including odd names.
 */
public final class ReplicationSql {

    private ReplicationSql() {
    }

    /**
     * Publishes the listed tables, partitioned ones through their root, so the destination may be
     * partitioned differently and a partition added later on the source is covered. A list (not
     * FOR ALL TABLES) leaves out what the operator chose to exclude and needs no superuser.
     */
    public static String createPublication(String publication, List<PublishedTable> tables) {
        String list = tables.stream().map(t -> qualified(t.schema(), t.name())).collect(Collectors.joining(", "));
        return "CREATE PUBLICATION " + quote(publication) + (tables.isEmpty() ? "" : " FOR TABLE " + list)
                + " WITH (publish_via_partition_root = true)";
    }

    public static String dropPublication(String publication) {
        return "DROP PUBLICATION IF EXISTS " + quote(publication);
    }

    /**
     * The native copy: PostgreSQL creates the slot on the source and its table-sync workers copy
     * each table. The conninfo holds a password: never log this statement.
     */
    public static String createSubscription(String subscription, String conninfo, String publication, String slot) {
        return "CREATE SUBSCRIPTION " + quote(subscription) + " CONNECTION " + literal(conninfo)
                + " PUBLICATION " + quote(publication)
                + " WITH (slot_name = " + literal(slot) + ", create_slot = true, copy_data = true)";
    }

    /**
     * The snapshot copy: the slot exists (created with the snapshot the data was copied from), so
     * nothing is copied again and streaming starts at the slot's consistent point.
     */
    public static String createSubscriptionOnSlot(String subscription, String conninfo, String publication,
            String slot) {
        return "CREATE SUBSCRIPTION " + quote(subscription) + " CONNECTION " + literal(conninfo)
                + " PUBLICATION " + quote(publication)
                + " WITH (slot_name = " + literal(slot) + ", create_slot = false, copy_data = false)";
    }

    /**
     * The reverse direction: the source database subscribes to the destination on the slot made
     * there, copying nothing (the data is equal once drained and verified). {@code originNone}
     * (a 16+ subscriber): changes that came to the destination from elsewhere are not sent back.
     * The conninfo holds the destination's password: never log this statement.
     */
    public static String createReverseSubscription(String subscription, String conninfo, String publication,
            String slot, boolean originNone) {
        return "CREATE SUBSCRIPTION " + quote(subscription) + " CONNECTION " + literal(conninfo)
                + " PUBLICATION " + quote(publication)
                + " WITH (slot_name = " + literal(slot) + ", create_slot = false, copy_data = false"
                + (originNone ? ", origin = none" : "") + ")";
    }

    /** A logical slot for pgoutput, made only when no slot of that name exists. */
    public static String createLogicalSlot() {
        return "SELECT pg_create_logical_replication_slot(?, 'pgoutput') WHERE NOT EXISTS "
                + "(SELECT 1 FROM pg_replication_slots WHERE slot_name = ?)";
    }

    /**
     * Makes the destination server connect to the source as a subscription would, creating
     * nothing: run inside a transaction that is rolled back (allowed because no slot is created),
     * with a publication that does not exist (the server only warns) and no slot.
     */
    public static String reachabilityProbe(String subscription, String conninfo) {
        return "CREATE SUBSCRIPTION " + quote(subscription) + " CONNECTION " + literal(conninfo)
                + " PUBLICATION " + quote(subscription) + " WITH (connect = true, enabled = false, "
                + "create_slot = false, copy_data = false, slot_name = NONE)";
    }

    /** A new connection for a subscription (a changed password or address). The conninfo holds a password. */
    public static String alterSubscriptionConnection(String subscription, String conninfo) {
        return "ALTER SUBSCRIPTION " + quote(subscription) + " CONNECTION " + literal(conninfo);
    }

    /** Also drops the slot on the source when the source is reachable. */
    public static String dropSubscription(String subscription) {
        return "DROP SUBSCRIPTION IF EXISTS " + quote(subscription);
    }

    /**
     * Without the source: disable, let go of the slot, drop. Each statement is harmless when
     * repeated; the caller skips them all when the subscription is gone.
     */
    public static List<String> detachAndDropSubscription(String subscription) {
        String name = quote(subscription);
        return List.of("ALTER SUBSCRIPTION " + name + " DISABLE", "ALTER SUBSCRIPTION " + name
                + " SET (slot_name = NONE)", "DROP SUBSCRIPTION " + name);
    }

    /**
     * The tables a subscription of the current database writes, each quoted by format('%I.%I');
     * one row with null when it has none, no row when there is no such subscription.
     */
    public static String subscribedTables() {
        return """
                SELECT CASE WHEN t.oid IS NOT NULL THEN format('%I.%I', n.nspname, t.relname) END
                FROM pg_subscription s
                LEFT JOIN pg_subscription_rel r ON r.srsubid = s.oid
                LEFT JOIN pg_class t ON t.oid = r.srrelid
                LEFT JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE s.subname = ? AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                ORDER BY 1""";
    }

    /**
     * Foreign keys from tables the subscription does not write to tables it writes (one bound
     * parameter: the subscription's name), each described: emptying the subscribed tables would
     * have to empty those too (TRUNCATE ... CASCADE), which start over never does. Partitions count
     * as their partitioned table.
     */
    public static String outsideReferences() {
        return """
                WITH written AS (
                    SELECT r.srrelid FROM pg_subscription s JOIN pg_subscription_rel r ON r.srsubid = s.oid
                    WHERE s.subname = ?
                      AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()))
                SELECT DISTINCT format('%s references %s (constraint %I)', c.conrelid::regclass,
                                       c.confrelid::regclass, c.conname)
                FROM pg_constraint c
                WHERE c.contype = 'f' AND c.conparentid = 0
                  AND coalesce(pg_partition_root(c.confrelid), c.confrelid) IN (SELECT srrelid FROM written)
                  AND coalesce(pg_partition_root(c.conrelid), c.conrelid) NOT IN (SELECT srrelid FROM written)
                ORDER BY 1""";
    }

    /** What an operator runs on the source once it is back: where, then the SQL. */
    public static String sourceCleanup(String database, String slot, String publication) {
        return "in database " + quote(database) + ": " + sourceCleanupSql(slot, publication);
    }

    /**
     * READ WRITE explicitly: a source still frozen by pgferry has default_transaction_read_only on,
     * and this must work there too.
     */
    public static String sourceCleanupSql(String slot, String publication) {
        return "BEGIN READ WRITE; SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
                + "slot_name = " + literal(slot) + " AND NOT active; DROP PUBLICATION IF EXISTS " + quote(publication)
                + "; COMMIT;";
    }

    /** Drops the slot only if it is not in use, so a live subscription is never cut. */
    public static String dropInactiveSlot() {
        return "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE slot_name = ? AND NOT active";
    }
}
