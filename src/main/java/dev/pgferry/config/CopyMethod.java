package dev.pgferry.config;

/** How the initial copy is made. */
public enum CopyMethod {
    /** CREATE SUBSCRIPTION with copy_data=true: PostgreSQL's table-sync workers copy. */
    NATIVE
}
