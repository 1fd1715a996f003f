package dev.pgferry.monitor;

import dev.pgferry.reports.DatabaseKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The speed of each table's initial copy, from the bytes copied at consecutive ticks, smoothed so
 * that one slow tick does not swing the estimate of the time left. In memory, like the lag
 * history: after a restart the rate shows again from the second tick.
 */
@Component
public class CopyRates {

    /** Weight of the newest measurement in the smoothed rate. */
    private static final double NEWEST_WEIGHT = 0.5;
    /** A copy not seen for this long has ended; its entry is dropped. */
    private static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    private final Clock clock;
    private final Map<TableKey, Point> points = new ConcurrentHashMap<>();

    public CopyRates(Clock clock) {
        this.clock = clock;
    }

    private record Point(Instant at, long bytesDone, Double bytesPerSecond) {
    }

    /** Records a table's progress seen by the tick that just ended. */
    public void record(String mapping, String database, String schema, String table, long bytesDone) {
        Instant now = clock.instant();
        points.compute(key(mapping, database, schema, table), (k, previous) -> {
            if (previous == null || bytesDone < previous.bytesDone() || !now.isAfter(previous.at())) {
                // a new copy (or a copy started over): no rate yet
                return new Point(now, bytesDone, null);
            }
            double seconds = Duration.between(previous.at(), now).toMillis() / 1000.0;
            double rate = (bytesDone - previous.bytesDone()) / seconds;
            Double smoothed = previous.bytesPerSecond() == null ? rate
                    : NEWEST_WEIGHT * rate + (1 - NEWEST_WEIGHT) * previous.bytesPerSecond();
            return new Point(now, bytesDone, smoothed);
        });
        points.values().removeIf(p -> p.at().isBefore(now.minus(FORGET_AFTER)));
    }

    /** Bytes per second of the table's copy, or null before two ticks have seen it. */
    public Double bytesPerSecond(String mapping, String database, String schema, String table) {
        Point point = points.get(key(mapping, database, schema, table));
        return point == null ? null : point.bytesPerSecond();
    }

    private static TableKey key(String mapping, String database, String schema, String table) {
        return new TableKey(DatabaseKey.of(mapping, database), schema, table);
    }

    private record TableKey(DatabaseKey database, String schema, String table) {
    }
}
