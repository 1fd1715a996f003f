package dev.pgferry.config;

/** How the initial copy is made. */
public enum CopyMethod {
    /** CREATE SUBSCRIPTION with copy_data=true: PostgreSQL's table-sync workers copy. */
    NATIVE,
    /**
     * pgferry copies from a slot's exported snapshot: tables in parallel (large ones in ranges),
     * indexes built as each table's data is in, then a subscription on that slot (copy_data=false).
     */
    SNAPSHOT
}
