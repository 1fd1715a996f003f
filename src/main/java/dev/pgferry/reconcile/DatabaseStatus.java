package dev.pgferry.reconcile;

import dev.pgferry.cutover.Readiness;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.preflight.Check;
import java.util.List;
import java.util.Optional;

/** The last tick's view of one database migration: what was seen, checked, decided. */
public record DatabaseStatus(ObservedDatabase observed, List<Check> checks, Readiness readiness, Plan plan,
        Optional<ActionFailure> lastFailure) {

    public String database() {
        return observed.database();
    }

    public Phase phase() {
        return plan.phase();
    }

    public boolean cutoverReady() {
        return plan.phase() == Phase.READY;
    }
}
