package dev.pgferry.config;

/**
 * A validated PostgreSQL server. {@code replication} is where a destination server reaches it
 * for a subscription, which may differ from where pgferry does (a proxy sidecar, a cluster DNS
 * name the destination cannot resolve).
 */
public record Instance(String name, String host, int port, String user, Secret password, String sslmode,
        String maintenanceDatabase, ReplicationAddress replication) {

    /** An instance the destination reaches where pgferry does. */
    public Instance(String name, String host, int port, String user, Secret password, String sslmode,
            String maintenanceDatabase) {
        this(name, host, port, user, password, sslmode, maintenanceDatabase,
                new ReplicationAddress(host, port, sslmode));
    }

    /** host:port, for messages and pages. */
    public String address() {
        return host + ":" + port;
    }

    /** What a subscription's connection string names: host, port and sslmode. */
    public record ReplicationAddress(String host, int port, String sslmode) {

        /** host:port, for messages and pages. */
        public String address() {
            return host + ":" + port;
        }
    }
}
