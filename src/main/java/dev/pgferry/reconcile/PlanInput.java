package dev.pgferry.reconcile;

import dev.pgferry.status.ActionFailure;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.copy.SnapshotProgress;
import dev.pgferry.status.Readiness;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.preflight.Check;
import dev.pgferry.schemachange.SchemaOutlook;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the planner needs, gathered before it runs so that it can stay pure. {@code mode}
 * is the effective mode: run when configured so or started by an operator. {@code copy} and
 * {@code copyGeneration} are this process's snapshot copy of the database as read <em>before</em>
 * the catalogs were observed: the generation counts every start and end of a copy, so a step
 * planned on it (undoing an "interrupted" copy) can tell, when it runs, that a copy started or
 * ended since and the observation is stale. {@code schema}: the schema changes to carry over.
 */
public record PlanInput(Mapping mapping, Mode mode, ObservedDatabase observed, ObservedInstance source,
        ObservedInstance destination, List<Check> checks, Readiness readiness, Optional<ActionFailure> lastFailure,
        Instant now, Optional<SnapshotProgress.State> copy, long copyGeneration, SchemaOutlook schema) {

    public PlanInput {
        schema = schema == null ? SchemaOutlook.NONE : schema;
    }

    /** Without schema changes to carry over. */
    public PlanInput(Mapping mapping, Mode mode, ObservedDatabase observed, ObservedInstance source,
            ObservedInstance destination, List<Check> checks, Readiness readiness,
            Optional<ActionFailure> lastFailure, Instant now, Optional<SnapshotProgress.State> copy,
            long copyGeneration) {
        this(mapping, mode, observed, source, destination, checks, readiness, lastFailure, now, copy, copyGeneration,
                SchemaOutlook.NONE);
    }

    /** Without a snapshot copy in this process. */
    public PlanInput(Mapping mapping, Mode mode, ObservedDatabase observed, ObservedInstance source,
            ObservedInstance destination, List<Check> checks, Readiness readiness,
            Optional<ActionFailure> lastFailure, Instant now) {
        this(mapping, mode, observed, source, destination, checks, readiness, lastFailure, now, Optional.empty(), 0);
    }

    /** A snapshot copy of this database runs in this process now. */
    boolean copying() {
        return copy.map(SnapshotProgress.State::running).orElse(false);
    }
}
