package dev.pgferry.testing;

import dev.pgferry.embedded.EmbeddedPostgres;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real PostgreSQL servers for the integration tests, started once per test JVM on free
 * 127.0.0.1 ports and shared by the test classes (each test uses databases of its own).
 * Sources are 15 because the host's pg_dump (Debian's 15 client) refuses newer servers.
 */
public final class TestServers {

    private static final Map<String, EmbeddedPostgres> SERVERS = new ConcurrentHashMap<>();

    private TestServers() {
    }

    /** The main PostgreSQL 15 source. */
    public static EmbeddedPostgres source() {
        return server("source", 15);
    }

    /** A second PostgreSQL 15 source, for N:M layouts. */
    public static EmbeddedPostgres secondSource() {
        return server("source2", 15);
    }

    /** The PostgreSQL 18 destination. */
    public static EmbeddedPostgres destination() {
        return server("destination", 18);
    }

    private static EmbeddedPostgres server(String role, int major) {
        return SERVERS.computeIfAbsent(role, r -> EmbeddedPostgres.start(major, "pw-" + r + "-'\\\"x"));
    }
}
