package dev.pgferry.reconcile;

import dev.pgferry.config.Mapping;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.stereotype.Component;

/**
 * The ticks of a mapping (with the steps they started beside the loop, {@link DatabaseSteps}) and
 * the operators' actions on it take turns: never two at once, so a tick that planned on what it
 * saw before an action never acts after it. Operator actions run
 * only in the pgferry that holds the mapping's lease.
 */
@Component
public class MappingTurns {

    /** How long an operator's action waits for a running tick of its mapping. */
    static final Duration OPERATOR_WAIT = Duration.ofSeconds(60);

    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final MappingLeases leases;
    private final DatabaseSteps steps;

    public MappingTurns(MappingLeases leases, DatabaseSteps steps) {
        this.leases = leases;
        this.steps = steps;
    }

    /** An operator's action on a mapping: what it does in its turn. */
    @FunctionalInterface
    public interface OperatorStep<T> {
        T run() throws ActionRefused;
    }

    /** The lock a tick holds while it runs (reentrant: an action's own tick runs inside the action's turn). */
    ReentrantLock lock(Mapping mapping) {
        return locks.computeIfAbsent(mapping.name(), k -> new ReentrantLock());
    }

    /**
     * Runs an operator's action on the mapping between two of its ticks, as the holder of its
     * lease. Refused when a tick does not end within a minute, or another pgferry holds the lease.
     */
    public <T> T betweenTicks(Mapping mapping, OperatorStep<T> step) throws ActionRefused {
        ReentrantLock lock = lock(mapping);
        long started = System.nanoTime();
        try {
            if (!lock.tryLock(OPERATOR_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new ActionRefused("a tick of mapping " + mapping.name() + " is still carrying out its steps "
                        + "after " + OPERATOR_WAIT.toSeconds() + " s; try again in a moment");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActionRefused("interrupted while waiting for the tick of mapping " + mapping.name());
        }
        try {
            awaitSteps(mapping, OPERATOR_WAIT.minusNanos(System.nanoTime() - started));
            leases.requireHeld(mapping);
            return step.run();
        } finally {
            lock.unlock();
        }
    }

    /** No tick starts steps while the lock is held: waits for those of the mapping that run beside the loop. */
    private void awaitSteps(Mapping mapping, Duration atMost) throws ActionRefused {
        try {
            if (!steps.awaitMapping(mapping.name(), atMost.isNegative() ? Duration.ZERO : atMost)) {
                throw new ActionRefused("steps of " + steps.running(mapping.name()).size() + " database(s) of "
                        + "mapping " + mapping.name() + " are still running after " + OPERATOR_WAIT.toSeconds()
                        + " s (the mapping's page shows which); try again when they end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActionRefused("interrupted while waiting for the steps of mapping " + mapping.name());
        }
    }
}
