package dev.pgferry.monitor;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything one tick read about one database migration, on both sides. Immutable, built fresh
 * every tick: the planner derives the phase from this alone.
 */
public record ObservedDatabase(
        String database,
        Instant observedAt,
        String sourceError,
        String destinationError,
        boolean sourceDatabaseExists,
        boolean destinationDatabaseExists,
        int destinationTableCount,
        boolean publicationExists,
        Optional<Slot> slot,
        Optional<Subscription> subscription,
        List<Table> tables,
        boolean completionRecorded,
        Optional<SourceFacts> sourceFacts) {

    public ObservedDatabase {
        tables = List.copyOf(tables);
    }

    /** The logical replication slot on the source. Lag is measured from the walsender's replay position when it runs. */
    public record Slot(boolean active, String walStatus, long applyLagBytes, long retainedBytes) {
    }

    /** The subscription on the destination, with its worker and error counters. */
    public record Subscription(long oid, boolean enabled, boolean applyWorkerRunning, long applyErrors,
            long syncErrors) {
    }

    /**
     * A top-level table of the source (partitioned tables by their root): whether pgferry's
     * publication lists it, and pg_subscription_rel's letter for it (null when not subscribed).
     */
    public record Table(String schema, String name, boolean partitioned, boolean published, String syncState,
            Long sourceRows, Long destinationRows) {
    }

    public boolean reachable() {
        return sourceError == null && destinationError == null;
    }
}
