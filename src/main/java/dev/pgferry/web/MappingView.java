package dev.pgferry.web;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.pgferry.cutover.MaterializedViews;
import dev.pgferry.cutover.SequenceSync;
import dev.pgferry.largeobjects.LargeObjectSync;
import dev.pgferry.cutover.Verifier;
import dev.pgferry.preflight.Compatibility;
import dev.pgferry.preflight.RoleStates;
import dev.pgferry.schema.FidelityReport;
import java.time.Instant;
import dev.pgferry.schemachange.ChangeReport;
import dev.pgferry.schemachange.DdlCapture;
import java.util.List;
import java.util.Map;

/**
 * A mapping as the API and the pages show it. Field names are a contract (DESIGN.md): add
 * fields freely, rename none. {@code active}: this pgferry holds the mapping's lease and acts on
 * it; otherwise {@code passive} says who does (or why nobody can) and it only observes.
 * {@code rollbackReady}: turned around (SWITCHED) and going back would lose nothing.
 */
public record MappingView(String name, String source, String destination, String mode, String configuredMode,
        String copyMethod,
        String phase, boolean cutoverReady, Instant observedAt, String sourceError, String destinationError,
        List<DatabaseView> databases, Map<String, Long> databasesByPhase, Long worstLagBytes, List<AlertView> alerts,
        boolean active, String passive, String leaseHolder, boolean rollbackReady) {

    /** An alert (severity warning or critical); database is null for a whole instance. */
    public record AlertView(String severity, String kind, String mapping, String database, String message,
            String fix) {
    }

    /** Complete with nothing left to remove: the pages stop polling it. */
    public boolean isFinished() {
        return "COMPLETE".equals(phase) && databases.stream().allMatch(d -> d.plannedActions().isEmpty());
    }

    /**
     * One database: its phase and light, then its parts, each a record of its own so that a field
     * is added in one place. The parts are unwrapped in the JSON (their fields sit on the database,
     * as the API has always had them).
     */
    public record DatabaseView(String name, String phase, String reason, boolean cutoverReady,
            @JsonUnwrapped ReplicationView replication, @JsonUnwrapped CopyTotals copy, @JsonUnwrapped RowTotals rows,
            @JsonUnwrapped CutoverReports cutover, String lastError, List<CheckView> checks, List<String> blockedBy,
            List<ConditionView> readiness, List<String> plannedActions, List<TableView> tables,
            List<SequenceView> sequences, List<SchemaView> schemas,
            List<Compatibility.TableCompatibility> compatibility, LagChart lagChart, ExactCountView exactCount,
            List<AlertView> alerts, List<RoleStates.RoleState> roles, boolean rollbackReady, ReverseView reverse,
            SchemaChangesView schemaChanges, String copyResume) {
    }

    /**
     * The database's schema changes while streaming (see schemachange): the mapping's policy, each
     * change found on the source and not yet on the destination, with its level, the exact SQL
     * and why, whether an operator may confirm it here; the ones pgferry applied (newest first); and,
     * with DDL_CAPTURE, the statements the applications ran on the source (newest first).
     */
    public record SchemaChangesView(String policy, List<ChangeView> pending, List<ChangeReport.Applied> applied,
            String error, List<DdlCapture.CapturedStatement> captured) {
    }

    /** One change; {@code lastFailure}: why applying it failed last (it is tried again later), or null. */
    public record ChangeView(String id, String level, String meaning, String what, String object, String sql,
            String why, boolean confirmable, String lastFailure) {
    }

    /**
     * The reverse direction of a database turned around (null otherwise): how far the source is
     * behind the destination, the WAL the slot keeps there, and the subscription in the source
     * database; {@code sequencesKeptBack}: the last time the source's sequences were set from the
     * destination's (every few minutes while turned around), null before the first.
     */
    public record ReverseView(String name, Long lagBytes, Long walRetainedBytes, Boolean slotActive,
            Boolean subscriptionEnabled, Boolean workerRunning, Long applyErrors,
            SequenceSync.SequenceReport sequencesKeptBack) {
    }

    /** The replication objects of a database and how far the destination is behind (null: not there). */
    public record ReplicationView(Long lagBytes, Double lagSeconds, Long walRetainedBytes, String replicationName,
            Boolean publicationExists, Boolean slotActive, Boolean subscriptionEnabled, Long applyErrors,
            Long syncErrors, Instant subscriptionConnectionUpdatedAt) {
    }

    /** The initial copy of a database, summed over its tables (bytes null: not started). */
    public record CopyTotals(int tablesTotal, int tablesCopied, Long copyBytesDone, Long copyBytesTotal,
            Integer copyPercent, String copyLimit) {
    }

    /** A database's rows, the live estimates summed over its tables. */
    public record RowTotals(Long sourceRows, Long destinationRows, Long rowDelta) {
    }

    /**
     * The cutover steps' reports of a database (each null until its step ran) and what the pages
     * say of each: the lines are chosen here, the templates only show them.
     */
    public record CutoverReports(FidelityReport fidelity, SequenceSync.SequenceReport sequenceSync,
            MaterializedViews.RefreshReport materializedViews, Verifier.VerifyReport verification, String freezePoint,
            Boolean drained, LargeObjectSync.LargeObjectReport largeObjects) {

        /** The schema comparison in one line for the mapping's page; null before one ran. */
        public String fidelityLine() {
            return fidelity == null ? null : fidelity.identical() ? "schema identical on both sides"
                    : "schema fidelity: " + (fidelity.error() != null ? fidelity.error()
                            : fidelity.differences().size() + " difference(s)");
        }

        /** The drain in one line for the mapping's page; null without a freeze point. */
        public String drainLine() {
            return freezePoint == null ? null : Boolean.TRUE.equals(drained)
                    ? "drained past the freeze point " + freezePoint : "draining to the freeze point " + freezePoint;
        }

        /** The verification in one line for the mapping's page; null before one was asked for. */
        public String verificationLine() {
            if (verification == null) {
                return null;
            }
            return verification.running() ? "verifying " + verification.tables().size() + "/"
                    + verification.tablesTotal()
                    : verification.allEqual() ? "verified: rows and checksums equal"
                    : "verification: " + verification.tablesDiffering() + " table(s) differ"
                            + (verification.error() != null ? " (" + verification.error() + ")" : "");
        }

        /** The verification's outcome for the database's page, once it has ended. */
        public String verificationOutcome() {
            if (verification == null || verification.running()) {
                return null;
            }
            return verification.error() != null ? "Verification failed: " + verification.error()
                    : verification.allEqual() ? "Verified at " + dev.pgferry.status.Times.utc(verification.finishedAt()) + ": every table has the "
                            + "same rows and checksums on both sides"
                    : verification.tablesDiffering() + " table(s) differ (verified at " + dev.pgferry.status.Times.utc(verification.finishedAt())
                            + ")";
        }

        /** notice, problem or nothing: how the verification's line reads. */
        public String verificationTone() {
            return verification == null || verification.running() ? "" : verification.allEqual() ? "notice"
                    : "problem";
        }

        public String sequenceSyncLine() {
            if (sequenceSync == null) {
                return null;
            }
            return sequenceSync.error() != null ? "Setting sequences failed: " + sequenceSync.error()
                    : "Sequences set from the source at " + sequenceSync.at() + " by " + sequenceSync.actor()
                            + " (margin " + sequenceSync.margin() + " increments): " + sequenceSync.changed()
                            + " changed";
        }

        public String materializedViewsLine() {
            if (materializedViews == null) {
                return null;
            }
            return materializedViews.error() != null ? "Refresh failed: " + materializedViews.error()
                    : "Refreshed at " + materializedViews.at() + " by " + materializedViews.actor() + ": "
                            + materializedViews.views().size() + " view(s), " + materializedViews.failed()
                            + " failed";
        }

        /** The last sync-large-objects of the database in one line; null before one ran. */
        public String largeObjectsLine() {
            if (largeObjects == null) {
                return null;
            }
            if (largeObjects.error() != null) {
                return "Copying the large objects failed: " + largeObjects.error();
            }
            LargeObjectSync.Outcome o = largeObjects.outcome();
            return "Large objects synchronized at " + dev.pgferry.status.Times.utc(largeObjects.at()) + " by "
                    + largeObjects.actor() + ": " + o.objects() + " on the source, " + o.copied() + " copied ("
                    + o.rewritten() + " of them changed since), " + o.removed() + " removed, " + o.unchanged()
                    + " unchanged, " + new Formats().bytes(o.bytes()) + " in " + largeObjects.millis() + " ms";
        }

        public boolean materializedViewsFailed() {
            return materializedViews != null && (materializedViews.error() != null || materializedViews.failed() > 0);
        }
    }

    /** The tables of one schema, summed (row figures are the live estimates). */
    public record SchemaView(String name, int tables, Long sourceBytes, Long sourceRows, Long destinationRows,
            Long rowDelta) {
    }

    /**
     * The last exact count of a database (state queued, running, done or failed), table figures
     * in each table's exact fields.
     */
    public record ExactCountView(String state, String requestedBy, Instant requestedAt, Instant startedAt,
            Instant finishedAt, int tablesDone, int tablesTotal, String error) {
    }

    /** A sequence's last value on each side; setting them is a cutover step. */
    public record SequenceView(String schema, String name, Long sourceValue, Long destinationValue) {
    }

    /** A partition under its partitioned table. */
    public record PartitionView(String schema, String name, Long sourceRows, Long destinationRows) {
    }

    /** A pre-flight check; level is ok, warn or block. */
    public record CheckView(String id, String level, String message, String fix) {
    }

    /** One cutover-ready condition, met or not. */
    public record ConditionView(String id, boolean met, String detail) {
    }

    /**
     * A published table; syncState is pg_subscription_rel's letter (i, d, f, s, r) or null
     * before the subscription exists.
     */
    public record TableView(String schema, String name, boolean partitioned, boolean published, String syncState,
            String syncStateLabel, Long sourceRows, Long destinationRows, Long rowDelta,
            List<PartitionView> partitions, Long sourceBytes, Long copyBytesDone, Long copyRowsDone,
            Integer copyPercent, Long copyBytesPerSecond, Long copySecondsLeft, Long exactSourceRows,
            Long exactDestinationRows, Long exactDelta, Instant exactCountedAt, String rowsFrom) {

        /** The same with where its rows came from (after a resumed copy), or null when the copy was not resumed. */
        TableView withRowsFrom(String from) {
            return new TableView(schema, name, partitioned, published, syncState, syncStateLabel, sourceRows,
                    destinationRows, rowDelta, partitions, sourceBytes, copyBytesDone, copyRowsDone, copyPercent,
                    copyBytesPerSecond, copySecondsLeft, exactSourceRows, exactDestinationRows, exactDelta,
                    exactCountedAt, from);
        }

        /** The CSS class of the sync state: sync-r, sync-d ... or sync-none before the subscription. */
        public String syncStateClass() {
            return "sync-" + (syncState == null ? "none" : syncState);
        }

        /** Copied by the subscription's table synchronization (no copy figures kept): past i and d. */
        public boolean copiedBySync() {
            return copyBytesDone == null && syncState != null && !"i".equals(syncState) && !"d".equals(syncState);
        }
    }
}
