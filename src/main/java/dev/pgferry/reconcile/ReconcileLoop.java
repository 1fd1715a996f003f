package dev.pgferry.reconcile;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs every mapping's tick every poll interval. On shutdown, lets the running ticks finish
 * (every action is idempotent, so one cut short is simply redone by the next start).
 */
@Component
public class ReconcileLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);
    private static final int MAX_THREADS = 16;

    private final PgferryConfig config;
    private final MappingReconciler reconciler;
    private ScheduledExecutorService scheduler;

    public ReconcileLoop(PgferryConfig config, MappingReconciler reconciler) {
        this.config = config;
        this.reconciler = reconciler;
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

    /** Runs a tick now, e.g. right after an operator's action, and returns its result. */
    public MappingStatus tickNow(Mapping mapping) {
        return reconciler.tick(mapping);
    }

    /** A snapshot copy ended: look at its mapping now rather than at the next interval. */
    @org.springframework.context.event.EventListener
    public void copyFinished(dev.pgferry.copy.SnapshotCopies.Finished event) {
        ScheduledExecutorService running = scheduler;
        if (running != null) {
            try {
                config.mapping(event.mapping()).ifPresent(m -> running.execute(() -> safeTick(m)));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping: the next start looks at it anyway
            }
        }
    }

    private void safeTick(Mapping mapping) {
        try {
            reconciler.tick(mapping);
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: log and go on
            log.error("mapping {}: tick failed: {}", mapping.name(), e.getMessage(), e);
        }
    }

    @Override
    public synchronized void stop() {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        scheduler = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
