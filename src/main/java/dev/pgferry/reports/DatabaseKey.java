package dev.pgferry.reports;

import java.util.Objects;

/**
 * One database of one mapping, by name: the key of everything pgferry keeps per database in
 * memory (reports, running steps, looks). Names may hold any character, so they are never
 * joined into one string.
 */
public record DatabaseKey(String mapping, String database) {

    public DatabaseKey {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(database, "database");
    }

    public static DatabaseKey of(String mapping, String database) {
        return new DatabaseKey(mapping, database);
    }

    /** For logs and thread names: mapping/database. */
    @Override
    public String toString() {
        return mapping + "/" + database;
    }
}
