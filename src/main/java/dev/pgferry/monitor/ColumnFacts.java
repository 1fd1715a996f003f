package dev.pgferry.monitor;

import java.util.List;
import java.util.Set;

/**
 * For data-only mappings: the columns of every top-level table on both sides, which destination
 * tables already hold rows, and which have a key to apply UPDATE and DELETE by.
 */
public record ColumnFacts(List<Column> source, List<Column> destination, Set<String> nonEmptyDestinationTables,
        Set<String> keyedDestinationTables) {

    public ColumnFacts {
        source = List.copyOf(source);
        destination = List.copyOf(destination);
    }

    /** A column; {@code hasDefault} also for identity and generated columns. */
    public record Column(String schema, String table, String name, String type, boolean notNull,
            boolean hasDefault) {

        public String tableName() {
            return schema + "." + table;
        }
    }
}
