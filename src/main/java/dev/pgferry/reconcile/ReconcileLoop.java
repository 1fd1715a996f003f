package dev.pgferry.reconcile;

import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.StatusBoard;
import dev.pgferry.LogContext;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.copy.SnapshotCopies;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs every mapping's tick every poll interval.
 *
 * <p>On shutdown (SIGTERM: a pod stopped or evicted) the work is bounded: snapshot copies, which
 * may run for hours, are cancelled at once (the servers roll back; the next start copies those
 * databases again from an empty one); the running ticks and the steps they started beside the
 * loop get {@code pgferry.shutdown-grace} (20 s) to finish, after which they are cut short (every
 * action is idempotent and redone by the next start). Stopped first, before the web server's own
 * graceful stop (spring.lifecycle.timeout-per-shutdown-phase, 10 s), so the whole stays within
 * Kubernetes' default 30 s grace period.
 */
@Component
public class ReconcileLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);
    private static final int MAX_THREADS = 16;
    /** A mapping in plan mode (not started) ticks once every this many poll intervals. */
    static final int PLAN_MODE_EVERY = dev.pgferry.status.MappingStatus.PLAN_MODE_TICK_EVERY;

    private final PgferryConfig config;
    private final MappingReconciler reconciler;
    private final SnapshotCopies copies;
    private final Duration shutdownGrace;
    private final StatusBoard board;
    private final Clock clock;
    private final DatabaseSteps steps;
    private ScheduledExecutorService scheduler;

    public ReconcileLoop(PgferryConfig config, MappingReconciler reconciler, SnapshotCopies copies,
            @Value("${pgferry.shutdown-grace:20s}") Duration shutdownGrace, StatusBoard board, Clock clock,
            DatabaseSteps steps) {
        this.steps = steps;
        this.board = board;
        this.clock = clock;
        this.config = config;
        this.reconciler = reconciler;
        this.copies = copies;
        this.shutdownGrace = shutdownGrace;
    }

    @Override
    public synchronized void start() {
        int threads = Math.max(1, Math.min(config.mappings().size(), MAX_THREADS));
        scheduler = Executors.newScheduledThreadPool(threads, Thread.ofPlatform().name("reconcile-", 0).factory());
        long period = config.pollInterval().toMillis();
        for (Mapping mapping : config.mappings()) {
            scheduler.scheduleWithFixedDelay(() -> safeTick(mapping), 0, period, TimeUnit.MILLISECONDS);
            log.info("mapping {}: {} -> {}, databases {}, mode {}", mapping.name(), mapping.source().name(),
                    mapping.destination().name(), mapping.databases().isEmpty() ? "all" : mapping.databases(),
                    mapping.mode().name().toLowerCase());
        }
    }

    /**
     * Runs a tick now, right after an operator's action, and returns its result: it looks at every
     * database anew, so the answer shows what the action did, not a look begun before it.
     */
    public MappingStatus tickNow(Mapping mapping) {
        return reconciler.tickAfterAction(mapping);
    }

    /** A snapshot copy ended: look at its mapping now rather than at the next interval. */
    @org.springframework.context.event.EventListener
    public void copyFinished(SnapshotCopies.Finished event) {
        config.mapping(event.mapping()).ifPresent(this::tickSoon);
    }

    /** Steps that went on beside the loop after their tick ended are done: tick their mapping now. */
    @org.springframework.context.event.EventListener
    public void tickWanted(MappingReconciler.TickWanted event) {
        config.mapping(event.mapping()).ifPresent(this::tickSoon);
    }

    private void safeTick(Mapping mapping) {
        if (!resting(mapping)) {
            tickAndGoOn(mapping);
        }
    }

    /** One tick, and at once another when it left databases or steps for lack of time (resting or not). */
    private void tickAndGoOn(Mapping mapping) {
        try {
            LogContext.about(mapping.name(), null, () -> reconciler.tick(mapping));
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: log and go on
            log.error("mapping {}: tick failed: {}", mapping.name(), e.getMessage(), e);
        }
        if (reconciler.cutShort(mapping)) {
            // steps left for lack of time in that tick: go on now rather than a poll interval later
            tickSoon(mapping);
        }
    }

    /** Runs a tick of the mapping now, beside its schedule (ticks of one mapping never overlap). */
    private void tickSoon(Mapping mapping) {
        ScheduledExecutorService running = scheduler;
        if (running != null) {
            try {
                running.execute(() -> tickAndGoOn(mapping));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping: the next start looks at it anyway
            }
        }
    }

    /**
     * A mapping in plan mode that nobody started acts on nothing: it is looked at every
     * {@link #PLAN_MODE_EVERY} poll intervals only, so that hundreds of databases merely watched do
     * not cost their servers (and pgferry) as much as those that move. Started, it ticks at once
     * (the start runs a tick) and at the poll interval from then on.
     */
    private boolean resting(Mapping mapping) {
        return board.get(mapping.name()).filter(s -> s.observedAt() != null && s.effectiveMode() == Mode.PLAN)
                .map(s -> s.observedAt().plus(config.pollInterval().multipliedBy(PLAN_MODE_EVERY))
                        .minus(config.pollInterval().dividedBy(2)).isAfter(clock.instant()))
                .orElse(false);
    }

    @Override
    public synchronized void stop() {
        if (scheduler == null) {
            return;
        }
        long started = System.nanoTime();
        scheduler.shutdown();
        int cancelled = copies.cancelAll();
        log.info("stopping: {} snapshot cop{} cancelled{}; waiting up to {} s for the running actions", cancelled,
                cancelled == 1 ? "y" : "ies", cancelled == 0 ? "" : " (copied again from an empty database at the "
                        + "next start)", shutdownGrace.toSeconds());
        try {
            boolean ticksEnded = scheduler.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
            Duration left = shutdownGrace.minusNanos(System.nanoTime() - started);
            if (ticksEnded && steps.awaitAll(left.isNegative() ? Duration.ZERO : left)) {
                log.info("stopped: every running action finished in {} ms", (System.nanoTime() - started) / 1_000_000);
            } else {
                scheduler.shutdownNow();
                steps.interruptAll();
                log.warn("stopped: actions still running after {} s were cut short; each is redone by the next start",
                        shutdownGrace.toSeconds());
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            steps.interruptAll();
            Thread.currentThread().interrupt();
        }
        scheduler = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
