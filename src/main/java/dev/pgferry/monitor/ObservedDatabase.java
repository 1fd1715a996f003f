package dev.pgferry.monitor;

import dev.pgferry.ownership.Ownership;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything one tick read about one database migration, on both sides. Immutable, built fresh
 * every tick: the planner derives the phase from this alone. {@code ownership}: whether the
 * destination database is pgferry's to change (see {@link Ownership}); {@code ddlCaptureInstalled}:
 * whether pgferry's DDL capture (its event trigger) is in the source database.
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
        Optional<SourceFacts> sourceFacts,
        List<Sequence> sequences,
        Optional<ColumnFacts> columnFacts,
        Ownership ownership,
        Optional<Reverse> reverse,
        boolean ddlCaptureInstalled) {

    /** Without pgferry's DDL capture on the source (DDL_CAPTURE, see schemachange.DdlCapture). */
    public ObservedDatabase(String database, Instant observedAt, String sourceError, String destinationError,
            boolean sourceDatabaseExists, boolean destinationDatabaseExists, int destinationTableCount,
            boolean publicationExists, Optional<Slot> slot, Optional<Subscription> subscription, List<Table> tables,
            boolean completionRecorded, Optional<SourceFacts> sourceFacts, List<Sequence> sequences,
            Optional<ColumnFacts> columnFacts, Ownership ownership, Optional<Reverse> reverse) {
        this(database, observedAt, sourceError, destinationError, sourceDatabaseExists, destinationDatabaseExists,
                destinationTableCount, publicationExists, slot, subscription, tables, completionRecorded, sourceFacts,
                sequences, columnFacts, ownership, reverse, false);
    }

    public ObservedDatabase {
        tables = List.copyOf(tables);
        sequences = List.copyOf(sequences);
        reverse = reverse == null ? Optional.empty() : reverse;
    }

    /** Without the reverse direction (not turned around). */
    public ObservedDatabase(String database, Instant observedAt, String sourceError, String destinationError,
            boolean sourceDatabaseExists, boolean destinationDatabaseExists, int destinationTableCount,
            boolean publicationExists, Optional<Slot> slot, Optional<Subscription> subscription, List<Table> tables,
            boolean completionRecorded, Optional<SourceFacts> sourceFacts, List<Sequence> sequences,
            Optional<ColumnFacts> columnFacts, Ownership ownership) {
        this(database, observedAt, sourceError, destinationError, sourceDatabaseExists, destinationDatabaseExists,
                destinationTableCount, publicationExists, slot, subscription, tables, completionRecorded, sourceFacts,
                sequences, columnFacts, ownership, Optional.empty());
    }

    /**
     * The reverse direction of a database an operator turned around (a reversal recorded on the
     * destination): its publication and slot on the destination, its subscription in the source
     * database (each empty or false until created).
     */
    public record Reverse(boolean publicationExists, Optional<Slot> slot, Optional<Subscription> subscription) {

        /** Streaming back: the subscription on the source is enabled and its worker runs. */
        public boolean streaming() {
            return subscription.map(s -> s.enabled() && s.applyWorkerRunning()).orElse(false);
        }
    }

    /**
     * The same observation without sequences (they are shown, never planned on), with a
     * destination database, if any, that pgferry created (empty when it has no table).
     */
    public ObservedDatabase(String database, Instant observedAt, String sourceError, String destinationError,
            boolean sourceDatabaseExists, boolean destinationDatabaseExists, int destinationTableCount,
            boolean publicationExists, Optional<Slot> slot, Optional<Subscription> subscription, List<Table> tables,
            boolean completionRecorded, Optional<SourceFacts> sourceFacts, Ownership ownership) {
        this(database, observedAt, sourceError, destinationError, sourceDatabaseExists, destinationDatabaseExists,
                destinationTableCount, publicationExists, slot, subscription, tables, completionRecorded, sourceFacts,
                List.of(), Optional.empty(), ownership);
    }

    /** The same, with a destination database (if any) that pgferry created and that is empty without tables. */
    public ObservedDatabase(String database, Instant observedAt, String sourceError, String destinationError,
            boolean sourceDatabaseExists, boolean destinationDatabaseExists, int destinationTableCount,
            boolean publicationExists, Optional<Slot> slot, Optional<Subscription> subscription, List<Table> tables,
            boolean completionRecorded, Optional<SourceFacts> sourceFacts) {
        this(database, observedAt, sourceError, destinationError, sourceDatabaseExists, destinationDatabaseExists,
                destinationTableCount, publicationExists, slot, subscription, tables, completionRecorded, sourceFacts,
                destinationDatabaseExists ? Ownership.owned(destinationTableCount == 0) : Ownership.absent());
    }

    /**
     * The tables pgferry replicates: those its publication lists (the reverse one's once the
     * database is turned around), or every table before a publication lists any.
     */
    public List<Table> replicatedTables() {
        boolean anyPublished = tables.stream().anyMatch(Table::published);
        return tables.stream().filter(t -> !anyPublished || t.published()).toList();
    }

    /** A database that could not be looked at: nothing known of it, nothing planned on it. */
    public static ObservedDatabase unobserved(String database, Instant at) {
        return new ObservedDatabase(database, at, null, null, false, false, 0, false, Optional.empty(),
                Optional.empty(), List.of(), false, Optional.empty(), List.of(), Optional.empty(),
                new Ownership(Ownership.State.UNKNOWN, false, "not looked at"));
    }

    /** A sequence's last value on both sides (null when unknown: not readable, not there, or never used). */
    public record Sequence(String schema, String name, Long sourceValue, Long destinationValue) {
    }

    /** A partition of a partitioned table, with its live-row estimates. */
    public record Partition(String schema, String name, Long sourceRows, Long destinationRows) {
    }

    /**
     * The logical replication slot on the source. Lag in bytes is measured from the walsender's
     * replay position when it runs; lag in time is its replay_lag, null when the link is idle.
     */
    public record Slot(boolean active, String walStatus, long applyLagBytes, long retainedBytes, Double lagSeconds,
            long confirmedFlush) {

        /** Without a time lag: the walsender reports none (idle link, or not running). */
        public Slot(boolean active, String walStatus, long applyLagBytes, long retainedBytes) {
            this(active, walStatus, applyLagBytes, retainedBytes, null, 0);
        }
    }

    /** The subscription on the destination, with its worker and error counters. */
    /**
     * pgferry's subscription on the destination. {@code connectionCurrent}: it connects with the
     * password and replication address the configuration gives now; {@code connectionUpdatedAt}:
     * when this pgferry last gave it a new one (null: never).
     */
    public record Subscription(long oid, boolean enabled, boolean applyWorkerRunning, long applyErrors,
            long syncErrors, boolean connectionCurrent, Instant connectionUpdatedAt) {

        /** A subscription whose connection is current and was never updated. */
        public Subscription(long oid, boolean enabled, boolean applyWorkerRunning, long applyErrors, long syncErrors) {
            this(oid, enabled, applyWorkerRunning, applyErrors, syncErrors, true, null);
        }
    }

    /**
     * A top-level table of the source (partitioned tables by their root): whether pgferry's
     * publication lists it, and pg_subscription_rel's letter for it (null when not subscribed).
     */
    public record Table(String schema, String name, boolean partitioned, boolean published, String syncState,
            Long sourceRows, Long destinationRows, List<Partition> partitions, Long sourceBytes,
            Optional<TableSyncProgress> copy) {

        public Table {
            partitions = partitions == null ? List.of() : List.copyOf(partitions);
            copy = copy == null ? Optional.empty() : copy;
        }

        public Table(String schema, String name, boolean partitioned, boolean published, String syncState,
                Long sourceRows, Long destinationRows) {
            this(schema, name, partitioned, published, syncState, sourceRows, destinationRows, List.of(), null,
                    Optional.empty());
        }
    }

    /** An initial copy under way into this table (pg_stat_progress_copy on the destination). */
    public record TableSyncProgress(long bytesDone, long rowsDone) {
    }
}
