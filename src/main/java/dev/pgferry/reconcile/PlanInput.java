package dev.pgferry.reconcile;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
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
        Instant now) {
}
