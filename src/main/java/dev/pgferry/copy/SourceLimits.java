package dev.pgferry.copy;

import dev.pgferry.config.Mapping;
import dev.pgferry.config.PgferryConfig;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * What the snapshot copies may take from each source instance, together: a number of concurrent
 * copy workers and bytes per second. Mappings reading the same instance share them, at the
 * strictest of their settings, so that no production source is overloaded by pgferry.
 *
 * <p>Workers and databases are Resilience4j bulkheads per source instance,
 * {@code copy-workers-<instance>} and {@code copy-databases-<instance>}, from the shared
 * {@code copy} configuration in application.yml (how long a copy may wait for a turn) with as
 * many permits as the instance's COPY_WORKERS; their permits show in the metrics
 * ({@code resilience4j_bulkhead_available_concurrent_calls}).
 */
@Component
public class SourceLimits {

    private final Map<String, Bulkhead> workers = new HashMap<>();
    private final Map<String, Bulkhead> copies = new HashMap<>();
    private final Map<String, ByteRate> rates = new HashMap<>();
    private final Map<String, Integer> sizes = new HashMap<>();

    public SourceLimits(PgferryConfig config, BulkheadRegistry bulkheads) {
        BulkheadConfig base = bulkheads.getConfiguration("copy").orElse(bulkheads.getDefaultConfig());
        Map<String, Mapping.CopyLimits> strictest = new HashMap<>();
        for (Mapping mapping : config.mappings()) {
            strictest.merge(mapping.source().name(), mapping.copyLimits(), (a, b) -> new Mapping.CopyLimits(
                    Math.min(a.workers(), b.workers()), stricter(a.bytesPerSecond(), b.bytesPerSecond())));
        }
        strictest.forEach((instance, limits) -> {
            BulkheadConfig sized = BulkheadConfig.from(base).maxConcurrentCalls(limits.workers())
                    .fairCallHandlingStrategyEnabled(true).build();
            workers.put(instance, bulkheads.bulkhead("copy-workers-" + instance, sized));
            copies.put(instance, bulkheads.bulkhead("copy-databases-" + instance, sized));
            rates.put(instance, new ByteRate(limits.bytesPerSecond()));
            sizes.put(instance, limits.workers());
        });
    }

    private static long stricter(long a, long b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    /** How many workers a copy from this instance may run at most. */
    public int workers(String instance) {
        return sizes.getOrDefault(instance, 1);
    }

    /**
     * Databases copied at once from an instance: each copy holds a replication connection (a WAL
     * sender) and its own sessions, so hundreds of databases take turns instead of exhausting
     * max_wal_senders and max_connections.
     */
    Bulkhead copyPermits(String instance) {
        return copies.get(instance);
    }

    Bulkhead workerPermits(String instance) {
        return workers.get(instance);
    }

    ByteRate rate(String instance) {
        return rates.get(instance);
    }

    /** A shared budget of bytes per second (0: unlimited); a caller waits until its bytes fit. */
    static final class ByteRate {

        private final long bytesPerSecond;
        private long nextFree = System.nanoTime();

        ByteRate(long bytesPerSecond) {
            this.bytesPerSecond = bytesPerSecond;
        }

        void acquire(long bytes) throws InterruptedException {
            if (bytesPerSecond <= 0) {
                return;
            }
            long waitNanos;
            synchronized (this) {
                long now = System.nanoTime();
                // no credit older than a second: an idle period does not allow a later burst
                nextFree = Math.max(nextFree, now - 1_000_000_000L);
                nextFree += bytes * 1_000_000_000L / bytesPerSecond;
                waitNanos = nextFree - now;
            }
            if (waitNanos > 0) {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            }
        }
    }
}
