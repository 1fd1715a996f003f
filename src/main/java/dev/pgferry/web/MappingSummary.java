package dev.pgferry.web;

import dev.pgferry.web.MappingView.AlertView;
import java.util.List;
import java.util.Map;

/**
 * A mapping as the overview shows it: one row, from counts over its databases, without the
 * per-database and per-table views the mapping page builds (at 1,000 databases those cost the
 * overview most of its time). {@code observed}: at least one database was looked at; {@code trend}:
 * the copy's progress and time left, the lag's sparkline ({@link MappingTrends}).
 */
public record MappingSummary(String name, String source, String destination, String mode, String phase,
        boolean cutoverReady, String sourceError, String destinationError, String passive, String leaseHolder,
        Map<String, Long> databasesByPhase, Long worstLagBytes, List<AlertView> alerts, boolean observed,
        boolean finished, boolean rollbackReady, MappingTrends.Trend trend) {
}
