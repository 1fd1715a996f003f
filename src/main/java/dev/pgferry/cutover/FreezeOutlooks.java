package dev.pgferry.cutover;

import dev.pgferry.LogContext;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import dev.pgferry.pg.PgErrors;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.TickEnded;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps each mapping's {@link FreezeOutlook}, read beside the loop after its ticks, so that the
 * cutover page and its API answer from memory and never query a server inside a request (the
 * page polls). What a freeze would change means a query per source database, so a mapping of
 * many databases is read less often: every poll interval per {@link #DATABASES_PER_INTERVAL}
 * databases, at most every {@link #SLOWEST} poll intervals; at once when the mapping turns
 * cutover-ready, and right after a freeze or an unfreeze.
 */
@Component
public class FreezeOutlooks implements DisposableBean {

    static final int DATABASES_PER_INTERVAL = 10;
    static final int SLOWEST = 12;

    private final Freeze freeze;
    private final Duration pollInterval;
    private final Clock clock;
    private final Map<String, FreezeOutlook> last = new ConcurrentHashMap<>();
    private final Map<String, Boolean> wasReady = new ConcurrentHashMap<>();
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService reads = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("freeze-outlook").factory());

    public FreezeOutlooks(Freeze freeze, PgferryConfig config, Clock clock) {
        this.freeze = freeze;
        this.pollInterval = config.pollInterval();
        this.clock = clock;
    }

    /** The last outlook read; only the configuration's part before the first read. */
    public FreezeOutlook last(Mapping mapping) {
        return last.getOrDefault(mapping.name(), FreezeOutlook.notReadYet(mapping));
    }

    @EventListener
    public void tickEnded(TickEnded ended) {
        consider(ended.status());
    }

    /** After a tick: queues a read of the mapping's outlook when one is due. */
    public void consider(MappingStatus status) {
        Mapping mapping = status.mapping();
        boolean ready = status.cutoverReady();
        boolean turnedReady = ready && !Boolean.TRUE.equals(wasReady.put(mapping.name(), ready));
        FreezeOutlook kept = last.get(mapping.name());
        if (!turnedReady && kept != null && kept.readAt() != null
                && kept.readAt().plus(interval(status.databases().size())).isAfter(clock.instant())) {
            return;
        }
        if (!queued.add(mapping.name())) {
            return;
        }
        try {
            reads.execute(() -> {
                try {
                    LogContext.about(mapping.name(), null, () -> readNow(status));
                } finally {
                    queued.remove(mapping.name());
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping
            queued.remove(mapping.name());
        }
    }

    /** Reads the outlook now and keeps it (after a freeze or an unfreeze: the page shows it at once). */
    public FreezeOutlook readNow(MappingStatus status) {
        Mapping mapping = status.mapping();
        Freeze.FreezeState state = null;
        FreezePlan plan = null;
        String error = null;
        try {
            state = freeze.state(mapping);
        } catch (SQLException e) {
            error = "what freeze changed could not be read on source " + mapping.source().name() + ": "
                    + PgErrors.describe(e);
        }
        List<String> databases = sourceDatabases(status);
        if (!databases.isEmpty()) {
            try {
                plan = freeze.plan(mapping, databases);
            } catch (SQLException e) {
                error = "source " + mapping.source().name() + " could not be read: " + PgErrors.describe(e);
            }
        }
        FreezeOutlook outlook = new FreezeOutlook(mapping.allowFreeze(), FreezeOutlook.allowVariable(mapping), state,
                plan, error, clock.instant());
        last.put(mapping.name(), outlook);
        return outlook;
    }

    /** The mapping's databases that exist on the source: what a freeze stops. */
    public static List<String> sourceDatabases(MappingStatus status) {
        return status.databases().stream().filter(d -> d.observed().sourceDatabaseExists())
                .map(DatabaseStatus::database).toList();
    }

    Duration interval(int databases) {
        int intervals = Math.min(SLOWEST, Math.max(1, (databases + DATABASES_PER_INTERVAL - 1)
                / DATABASES_PER_INTERVAL));
        return pollInterval.multipliedBy(intervals);
    }

    @Override
    public void destroy() throws InterruptedException {
        reads.shutdownNow();
        // a read under way ends before the connector closes its sessions (it is destroyed after this)
        reads.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
