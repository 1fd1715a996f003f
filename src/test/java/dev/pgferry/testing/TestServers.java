package dev.pgferry.testing;

import dev.pgferry.embedded.EmbeddedPostgres;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real PostgreSQL servers for the integration tests, started once per test JVM on free
 * 127.0.0.1 ports and shared by the test classes (each test uses databases of its own).
 * Most sources are 15 (the oldest major pgferry moves); {@link #source(int)} gives 16 and 17 ones,
 * which pg_dump 18 (the image's client, {@link PgClients}) reads.
 */
public final class TestServers {

    private static final Map<String, EmbeddedPostgres> SERVERS = new ConcurrentHashMap<>();

    private TestServers() {
    }

    /** The main PostgreSQL 15 source. */
    public static EmbeddedPostgres source() {
        return server("source", 15);
    }

    /** A source of that major version (15 is {@link #source()}). */
    public static EmbeddedPostgres source(int major) {
        return major == 15 ? source() : server("source" + major, major);
    }

    /** A second PostgreSQL 15 source, for N:M layouts. */
    public static EmbeddedPostgres secondSource() {
        return server("source2", 15);
    }

    /** The PostgreSQL 18 destination. */
    public static EmbeddedPostgres destination() {
        return server("destination", 18);
    }

    /** A second PostgreSQL 18 destination, for tests that stop it (the shared one stays up for the others). */
    public static EmbeddedPostgres spareDestination() {
        return server("spare-destination", 18);
    }

    /**
     * A PostgreSQL 18 destination of its own set up as managed services give it: pgferry's user is
     * no superuser, and the control schema must be its own from the start.
     */
    public static EmbeddedPostgres managedDestination() {
        return server("managed-destination", 18);
    }

    /** A PostgreSQL 18 destination that logs every DDL statement, for the tests of what reaches its log. */
    public static EmbeddedPostgres loggingDestination() {
        return server("logging-destination", 18, Map.of("log_statement", "ddl", "log_min_messages", "warning"));
    }

    /** A PostgreSQL 17 source of its own for the TLS test, which turns TLS on and rewrites pg_hba.conf. */
    public static EmbeddedPostgres tlsSource() {
        return server("tls-source", 17);
    }

    /** A PostgreSQL 15 source unfit for logical replication: wal_level replica, no slots, no senders. */
    public static EmbeddedPostgres unfitSource() {
        return server("unfit-source", 15, Map.of("wal_level", "replica", "max_replication_slots", "0",
                "max_wal_senders", "0"));
    }

    /** A PostgreSQL 18 destination with no room for logical replication workers or origins. */
    public static EmbeddedPostgres unfitDestination() {
        return server("unfit-destination", 18, Map.of("max_logical_replication_workers", "0",
                "max_active_replication_origins", "0"));
    }

    /**
     * A PostgreSQL 15 source that lets a slot keep at most 32 MB of WAL: a slot that falls
     * further behind loses the WAL it needs (wal_status 'lost') at the next checkpoint.
     */
    public static EmbeddedPostgres smallWalSource() {
        return server("small-wal-source", 15, Map.of("max_slot_wal_keep_size", "32MB", "min_wal_size", "32MB",
                "max_wal_size", "64MB"));
    }

    private static EmbeddedPostgres server(String role, int major) {
        return server(role, major, Map.of());
    }

    private static EmbeddedPostgres server(String role, int major, Map<String, String> settings) {
        return SERVERS.computeIfAbsent(role, r -> EmbeddedPostgres.start(major, "pw-" + r + "-'\\\"x", settings));
    }
}
