package dev.pgferry.reconcile;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.monitor.ObservedInstance;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The last tick's view of a whole mapping. */
public record MappingStatus(Mapping mapping, ObservedInstance source, ObservedInstance destination,
        List<DatabaseStatus> databases, Instant observedAt) {

    public MappingStatus {
        databases = List.copyOf(databases);
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
        return destination == null ? mapping.mode() : MappingReconciler.effectiveMode(mapping, destination);
    }

    public boolean cutoverReady() {
        return !databases.isEmpty() && databases.stream().allMatch(DatabaseStatus::cutoverReady);
    }

    public Optional<DatabaseStatus> database(String name) {
        return databases.stream().filter(d -> d.database().equals(name)).findFirst();
    }
}
