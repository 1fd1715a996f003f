package dev.pgferry.status;

import dev.pgferry.status.Readiness;
import dev.pgferry.monitor.ExactCounter.TableName;
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

    /** The tables pgferry replicates (every source table before the publication lists them): counted and verified. */
    public List<TableName> replicatedTables() {
        return observed.replicatedTables().stream().map(t -> new TableName(t.schema(), t.name())).toList();
    }

    /** Turned around, and going back would lose nothing: every rollback-ready condition holds. */
    public boolean rollbackReady() {
        return plan.phase() == Phase.SWITCHED && readiness.ready();
    }

    public boolean cutoverReady() {
        return plan.phase() == Phase.READY;
    }
}
