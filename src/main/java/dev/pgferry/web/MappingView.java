package dev.pgferry.web;

import dev.pgferry.cutover.MaterializedViews;
import dev.pgferry.cutover.SequenceSync;
import dev.pgferry.cutover.Verifier;
import dev.pgferry.preflight.Compatibility;
import dev.pgferry.preflight.RoleStates;
import dev.pgferry.schema.FidelityReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A mapping as the API and the pages show it. Field names are a contract (DESIGN.md): add
 * fields freely, rename none. {@code active}: this pgferry holds the mapping's lease and acts on
 * it; otherwise {@code passive} says who does (or why nobody can) and it only observes.
 */
public record MappingView(String name, String source, String destination, String mode, String configuredMode,
        String copyMethod,
        String phase, boolean cutoverReady, Instant observedAt, String sourceError, String destinationError,
        List<DatabaseView> databases, Map<String, Long> databasesByPhase, Long worstLagBytes, List<AlertView> alerts,
        boolean active, String passive, String leaseHolder) {

    /** An alert (severity warning or critical); database is null for a whole instance. */
    public record AlertView(String severity, String kind, String mapping, String database, String message,
            String fix) {
    }

    /** Complete with nothing left to remove: the pages stop polling it. */
    public boolean isFinished() {
        return "COMPLETE".equals(phase) && databases.stream().allMatch(d -> d.plannedActions().isEmpty());
    }

    public record DatabaseView(String name, String phase, String reason, boolean cutoverReady, Long lagBytes,
            Double lagSeconds, Long walRetainedBytes, String replicationName, Boolean publicationExists, Boolean slotActive,
            Boolean subscriptionEnabled, Long applyErrors, Long syncErrors, String lastError,
            List<CheckView> checks, List<String> blockedBy, List<ConditionView> readiness,
            List<String> plannedActions, List<TableView> tables, List<SequenceView> sequences,
            FidelityReport fidelity, List<Compatibility.TableCompatibility> compatibility, LagChart lagChart,
            int tablesTotal, int tablesCopied, Long copyBytesDone, Long copyBytesTotal, Integer copyPercent,
            Long sourceRows, Long destinationRows, Long rowDelta, List<SchemaView> schemas,
            ExactCountView exactCount, List<AlertView> alerts, List<RoleStates.RoleState> roles,
            SequenceSync.SequenceReport sequenceSync, MaterializedViews.RefreshReport materializedViews,
            Verifier.VerifyReport verification, String freezePoint, Boolean drained,
            java.time.Instant subscriptionConnectionUpdatedAt) {
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
            Long exactDestinationRows, Long exactDelta, Instant exactCountedAt) {
    }
}
