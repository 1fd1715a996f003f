package dev.pgferry.monitor;

import dev.pgferry.reports.DatabaseKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Apply lag, retained WAL and error counters per database over the last hour, for the
 * drill-down's chart and the alerts. Kept
 * in memory only (DESIGN.md: short history may live in memory, long history is Prometheus's):
 * a restart starts an empty chart.
 */
@Component
public class LagHistory {

    static final Duration WINDOW = Duration.ofHours(1);

    private final Clock clock;
    private final Map<DatabaseKey, Deque<Sample>> samples = new ConcurrentHashMap<>();

    public LagHistory(Clock clock) {
        this.clock = clock;
    }

    /**
     * One point: when, apply lag and retained WAL in bytes, and the subscription's apply plus sync
     * error counters (null without a subscription), whose growth raises an alert.
     */
    public record Sample(Instant at, long lagBytes, long retainedBytes, Long errors) {

        public Sample(Instant at, long lagBytes, long retainedBytes) {
            this(at, lagBytes, retainedBytes, null);
        }
    }

    public void record(String mapping, String database, long lagBytes, long retainedBytes, Long errors) {
        Instant now = clock.instant();
        Deque<Sample> series = samples.computeIfAbsent(key(mapping, database), k -> new ArrayDeque<>());
        synchronized (series) {
            series.addLast(new Sample(now, lagBytes, retainedBytes, errors));
            while (!series.isEmpty() && series.peekFirst().at().isBefore(now.minus(WINDOW))) {
                series.removeFirst();
            }
        }
    }

    public List<Sample> lastHour(String mapping, String database) {
        Deque<Sample> series = samples.get(key(mapping, database));
        if (series == null) {
            return List.of();
        }
        synchronized (series) {
            return List.copyOf(series);
        }
    }

    private static DatabaseKey key(String mapping, String database) {
        return DatabaseKey.of(mapping, database);
    }
}
