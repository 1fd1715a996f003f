package dev.pgferry.monitor;

import java.time.Instant;
import java.util.List;

/**
 * Exact row counts of one database's tables on both sides (count(*)), as far as they have got.
 * Each table is counted on the source and right after on the destination; under writes the two
 * differ by what changed in between (and by the apply lag), so a small delta is expected until
 * writes stop.
 */
public record ExactCount(String requestedBy, Instant requestedAt, Instant startedAt, Instant finishedAt,
        int tablesTotal, List<TableCount> tables, String error) {

    public ExactCount {
        tables = List.copyOf(tables);
    }

    public record TableCount(String schema, String name, long sourceRows, long destinationRows, Instant countedAt) {

        public long delta() {
            return sourceRows - destinationRows;
        }
    }

    static ExactCount queued(String requestedBy, Instant at, int tablesTotal) {
        return new ExactCount(requestedBy, at, null, null, tablesTotal, List.of(), null);
    }

    public boolean running() {
        return finishedAt == null;
    }

    public TableCount table(String schema, String name) {
        return tables.stream().filter(t -> t.schema().equals(schema) && t.name().equals(name)).findFirst()
                .orElse(null);
    }
}
