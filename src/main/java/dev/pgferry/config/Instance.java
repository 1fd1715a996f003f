package dev.pgferry.config;

/** A validated PostgreSQL server. */
public record Instance(String name, String host, int port, String user, Secret password, String sslmode,
        String maintenanceDatabase) {

    /** host:port, for messages and pages. */
    public String address() {
        return host + ":" + port;
    }
}
