package dev.pgferry.status;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.preflight.RoleStates;
import dev.pgferry.preflight.RoleStates.RoleState;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last tick's view of a whole mapping; {@code lease} says whether this pgferry acts on it
 * (null when not known, as before the first tick).
 */
public record MappingStatus(Mapping mapping, ObservedInstance source, ObservedInstance destination,
        List<DatabaseStatus> databases, Instant observedAt, List<Alert> alerts, Lease lease) {

    /** A mapping in plan mode (not started) is looked at once every this many poll intervals. */
    public static final int PLAN_MODE_TICK_EVERY = 6;

    public MappingStatus {
        databases = List.copyOf(databases);
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
    }

    /** As a tick sees it, before the status board adds the alerts (they need the history). */
    public MappingStatus(Mapping mapping, ObservedInstance source, ObservedInstance destination,
            List<DatabaseStatus> databases, Instant observedAt, Lease lease) {
        this(mapping, source, destination, databases, observedAt, List.of(), lease);
    }

    /** Without knowing the lease. */
    public MappingStatus(Mapping mapping, ObservedInstance source, ObservedInstance destination,
            List<DatabaseStatus> databases, Instant observedAt) {
        this(mapping, source, destination, databases, observedAt, List.of(), null);
    }

    /** Why this pgferry does not act on the mapping (another holds its lease, or none can be taken); null when it does. */
    public String passiveReason() {
        return lease == null ? null : lease.passiveReason();
    }

    /** The mapping as seen for one of its databases only (with the alerts of the instances). */
    public MappingStatus withOnly(String database) {
        return new MappingStatus(mapping, source, destination,
                databases.stream().filter(d -> d.database().equals(database)).toList(), observedAt,
                alerts.stream().filter(a -> a.database() == null || a.database().equals(database)).toList(), lease);
    }

    public MappingStatus withAlerts(List<Alert> alerts) {
        return new MappingStatus(mapping, source, destination, databases, observedAt, alerts, lease);
    }

    /** Databases per phase, in phase order, for the overview. */
    public Map<Phase, Long> databasesByPhase() {
        Map<Phase, Long> counts = new EnumMap<>(Phase.class);
        databases.forEach(d -> counts.merge(d.phase(), 1L, Long::sum));
        return counts;
    }

    /** Before the first tick: nothing seen yet. */
    public static MappingStatus pending(Mapping mapping) {
        return new MappingStatus(mapping, null, null, List.of(), null);
    }

    /** The worst database's phase: FAILED, then BLOCKED, then the least advanced. */
    public Phase phase() {
        if (databases.isEmpty()) {
            return Phase.PLANNED;
        }
        for (Phase worst : List.of(Phase.FAILED, Phase.BLOCKED)) {
            if (databases.stream().anyMatch(d -> d.phase() == worst)) {
                return worst;
            }
        }
        return databases.stream().map(DatabaseStatus::phase).min(Comparator.naturalOrder()).orElse(Phase.PLANNED);
    }

    /** run when configured so or started by an operator; plan before the first tick. */
    public Mode effectiveMode() {
        return destination == null ? mapping.mode() : effectiveMode(mapping, destination);
    }

    /** Run when configured so, or when an operator started the mapping (marker on the destination). */
    public static Mode effectiveMode(Mapping mapping, ObservedInstance destination) {
        return mapping.mode() == Mode.RUN || destination.startedMappings().contains(mapping.name()) ? Mode.RUN
                : Mode.PLAN;
    }

    /**
     * Every database cutover-ready, as seen by a tick in which both servers answered: a database's
     * status kept from an earlier tick (one the tick did not reach) says nothing about a server
     * that has stopped answering since.
     */
    public boolean cutoverReady() {
        boolean bothAnswer = (source == null || source.error() == null)
                && (destination == null || destination.error() == null);
        return bothAnswer && !databases.isEmpty() && databases.stream().allMatch(DatabaseStatus::cutoverReady);
    }

    /** Where each role the database needs stands on the destination; empty until both sides were read. */
    public List<RoleState> roleStates(DatabaseStatus database) {
        var o = database.observed();
        if (o.sourceFacts().isEmpty() || source == null || destination == null || source.facts() == null
                || destination.facts() == null) {
            return List.of();
        }
        return RoleStates.of(o.sourceFacts().get().neededRoles(), source.facts(), destination.facts());
    }

    /** Every database turned around and rollback-ready, as seen by a tick in which both servers answered. */
    public boolean rollbackReady() {
        boolean bothAnswer = (source == null || source.error() == null)
                && (destination == null || destination.error() == null);
        return bothAnswer && !databases.isEmpty() && databases.stream().allMatch(DatabaseStatus::rollbackReady);
    }

    public Optional<DatabaseStatus> database(String name) {
        return databases.stream().filter(d -> d.database().equals(name)).findFirst();
    }
}
