package dev.pgferry.reconcile;

import dev.pgferry.config.Mapping;
import dev.pgferry.faults.CrashPoints;
import dev.pgferry.faults.TickPauses;
import dev.pgferry.pg.ActionException;
import dev.pgferry.reports.LastReports;
import dev.pgferry.status.Action;
import dev.pgferry.status.ActionFailure;
import dev.pgferry.status.StatusMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs one database's planned steps in order, beside the loop ({@link DatabaseSteps} gives it a
 * thread): before each step it checks that this pgferry still holds the mapping's lease; a step
 * that fails ends the run (the rest wait for the next tick, which plans again). A failure that
 * will not pass by itself is kept as the database's last failure until a step succeeds; a
 * transient one is only logged and retried.
 */
@Component
class DatabaseStepRun {

    private static final Logger log = LoggerFactory.getLogger(DatabaseStepRun.class);

    private final ActionRunner runner;
    private final MappingLeases leases;
    private final StatusMetrics metrics;
    private final Clock clock;
    private final LastReports<ActionFailure> failures = new LastReports<>();

    DatabaseStepRun(ActionRunner runner, MappingLeases leases, StatusMetrics metrics, Clock clock) {
        this.runner = runner;
        this.leases = leases;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The steps, in order, until one fails, the lease is lost or the thread is interrupted; {@code step} says which runs. */
    void run(Mapping mapping, String database, List<Action> actions, AtomicReference<String> step) {
        try {
            for (Action action : actions) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                if (!leases.stillHeld(mapping)) {
                    log.warn("mapping {} database {}: lease lost, {} not done", mapping.name(), database,
                            action.describe());
                    break;
                }
                step.set(action.describe());
                if (!runStep(mapping, database, action)) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            log.error("mapping {} database {}: its steps failed: {}", mapping.name(), database, e.toString(), e);
        }
    }

    /** The database's last failure that will not pass by itself, until a step succeeds. */
    Optional<ActionFailure> lastFailure(String mapping, String database) {
        return failures.last(mapping, database);
    }

    /** One step; false when it failed. */
    private boolean runStep(Mapping mapping, String database, Action action) {
        String name = action.getClass().getSimpleName();
        try {
            log.info("mapping {} database {}: {}", mapping.name(), database, action.describe());
            TickPauses.reached("before:" + name, mapping.name(), database);
            runner.run(mapping, database, action);
            CrashPoints.passed(name);
            failures.forget(mapping.name(), database);
            metrics.actionRun(mapping.name(), name, "ok");
            return true;
        } catch (ActionException | RuntimeException e) {
            ActionException failure = e instanceof ActionException a ? a
                    // an unforeseen failure (a password command that failed, a bug): shown, tried again later
                    : new ActionException("[internal] " + e, false);
            if (!(e instanceof ActionException)) {
                log.error("mapping {} database {}: {}", mapping.name(), database, e.toString(), e);
            }
            metrics.actionRun(mapping.name(), name, failure.isTransient() ? "retry" : "failed");
            if (failure.isTransient()) {
                log.warn("mapping {} database {}: {} (will retry)", mapping.name(), database, failure.getMessage());
            } else {
                failures.update(mapping.name(), database, previous -> new ActionFailure(action.describe(),
                        failure.getMessage(), previous == null ? 1 : previous.attempts() + 1, clock.instant()));
                log.error("mapping {} database {}: {}", mapping.name(), database, failure.getMessage());
            }
            return false;
        }
    }
}
