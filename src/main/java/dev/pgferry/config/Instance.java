package dev.pgferry.config;

/**
 * A validated PostgreSQL server. {@code replication} is where a destination server reaches it
 * for a subscription, which may differ from where pgferry does (a proxy sidecar, a cluster DNS
 * name the destination cannot resolve). {@code tls} are the CA bundle and client certificate files
 * of pgferry's own connections.
 */
public record Instance(String name, String host, int port, String user, Secret password, String sslmode,
        String maintenanceDatabase, ReplicationAddress replication, TlsFiles tls) {

    /** An instance without TLS files of its own. */
    public Instance(String name, String host, int port, String user, Secret password, String sslmode,
            String maintenanceDatabase, ReplicationAddress replication) {
        this(name, host, port, user, password, sslmode, maintenanceDatabase, replication, TlsFiles.NONE);
    }

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
