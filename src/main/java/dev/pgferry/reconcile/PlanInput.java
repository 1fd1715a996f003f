package dev.pgferry.reconcile;

import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.Readiness;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.preflight.Check;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Everything the planner needs, gathered before it runs so that it can stay pure. */
public record PlanInput(Mapping mapping, ObservedDatabase observed, String encoding, List<Check> checks,
        Readiness readiness, Optional<ActionFailure> lastFailure, Instant now) {
}
