package dev.pgferry.replication;

/** A top-level table (partitioned tables by their root) listed in pgferry's publication. */
public record PublishedTable(String schema, String name) {

    @Override
    public String toString() {
        return schema + "." + name;
    }
}
