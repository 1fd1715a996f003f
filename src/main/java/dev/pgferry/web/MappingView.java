package dev.pgferry.web;

import dev.pgferry.preflight.Compatibility;
import dev.pgferry.schema.FidelityReport;
import java.time.Instant;
import java.util.List;

/**
 * A mapping as the API and the pages show it. Field names are a contract (DESIGN.md): add
 * fields freely, rename none.
 */
public record MappingView(String name, String source, String destination, String mode, String configuredMode,
        String copyMethod,
        String phase, boolean cutoverReady, Instant observedAt, String sourceError, String destinationError,
        List<DatabaseView> databases) {

    public record DatabaseView(String name, String phase, String reason, boolean cutoverReady, Long lagBytes,
            Double lagSeconds, Long walRetainedBytes, String replicationName, Boolean publicationExists, Boolean slotActive,
            Boolean subscriptionEnabled, Long applyErrors, Long syncErrors, String lastError,
            List<CheckView> checks, List<String> blockedBy, List<ConditionView> readiness,
            List<String> plannedActions, List<TableView> tables, List<SequenceView> sequences,
            FidelityReport fidelity, List<Compatibility.TableCompatibility> compatibility, LagChart lagChart) {
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
            Integer copyPercent) {
    }
}
