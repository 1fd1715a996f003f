package dev.pgferry.reconcile;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.copy.CopyProgress;
import dev.pgferry.cutover.Readiness;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.preflight.Check;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the planner needs, gathered before it runs so that it can stay pure. {@code mode}
 * is the effective mode: run when configured so or started by an operator.
 */
public record PlanInput(Mapping mapping, Mode mode, ObservedDatabase observed, ObservedInstance source,
        ObservedInstance destination, List<Check> checks, Readiness readiness, Optional<ActionFailure> lastFailure,
        Instant now, Optional<CopyProgress.State> copy) {

    /** Without a snapshot copy in this process. */
    public PlanInput(Mapping mapping, Mode mode, ObservedDatabase observed, ObservedInstance source,
            ObservedInstance destination, List<Check> checks, Readiness readiness,
            Optional<ActionFailure> lastFailure, Instant now) {
        this(mapping, mode, observed, source, destination, checks, readiness, lastFailure, now, Optional.empty());
    }

    /** A snapshot copy of this database runs in this process now. */
    boolean copying() {
        return copy.map(CopyProgress.State::running).orElse(false);
    }
}
