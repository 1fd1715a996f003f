package dev.pgferry.web;

import dev.pgferry.copy.SnapshotCopies;
import dev.pgferry.copy.SnapshotProgress;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.TickEnded;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What the overview shows of a mapping over time, one point per tick (in memory, the last hour):
 * the copy's bytes done of all its databases, for the progress and the time left at the rate
 * of the last minutes; and the worst apply lag, for a sparkline. Recorded after each tick so
 * that the overview's request reads a few numbers per mapping, whatever its number of databases.
 */
@Component
class MappingTrends {

    static final Duration WINDOW = Duration.ofHours(1);
    /** The copy's rate is read over this much of the recent past. */
    static final Duration RATE_WINDOW = Duration.ofMinutes(2);
    static final int SPARK_WIDTH = 120;
    static final int SPARK_HEIGHT = 24;

    /** One tick's figures of a mapping. */
    record Point(Instant at, Long worstLagBytes, long copyDone, long copyTotal) {
    }

    /**
     * The overview's figures: the copy (null when nothing is being copied), its time left (null
     * until a rate is known), and the lag sparkline's points (null before two streaming points).
     */
    record Trend(Integer copyPercent, Long copyDone, Long copyTotal, Long copySecondsLeft, String lagPoints,
            Long lagMaxBytes) {
        static final Trend NONE = new Trend(null, null, null, null, null, null);
    }

    private final SnapshotCopies snapshotCopies;
    private final Clock clock;
    private final Map<String, Deque<Point>> points = new ConcurrentHashMap<>();

    MappingTrends(SnapshotCopies snapshotCopies, Clock clock) {
        this.snapshotCopies = snapshotCopies;
        this.clock = clock;
    }

    @EventListener
    public void tickEnded(TickEnded ended) {
        try {
            record(ended.status());
        } catch (RuntimeException e) {
            // the overview's trend must never stop a tick
            org.slf4j.LoggerFactory.getLogger(MappingTrends.class).warn("mapping {}: trend not recorded: {}",
                    ended.status().mapping().name(), e.toString());
        }
    }

    void record(MappingStatus status) {
        long done = 0;
        long total = 0;
        for (DatabaseStatus database : status.databases()) {
            long[] copy = copy(status.mapping().name(), database);
            done += copy[0];
            total += copy[1];
        }
        Long worst = status.databases().stream().flatMap(d -> d.observed().slot().stream())
                .map(ObservedDatabase.Slot::applyLagBytes).max(Long::compare).orElse(null);
        Instant now = clock.instant();
        Deque<Point> series = points.computeIfAbsent(status.mapping().name(), m -> new ArrayDeque<>());
        synchronized (series) {
            series.addLast(new Point(now, worst, done, total));
            while (!series.isEmpty() && series.peekFirst().at().isBefore(now.minus(WINDOW))) {
                series.pollFirst();
            }
        }
    }

    /** Bytes done and in all of one database's copy: the snapshot copy's progress, or the tables' sync states. */
    private long[] copy(String mapping, DatabaseStatus database) {
        ObservedDatabase o = database.observed();
        if (o.subscription().isEmpty()) {
            Optional<SnapshotProgress.State> state = snapshotCopies == null ? Optional.empty()
                    : snapshotCopies.last(mapping, database.database()).map(SnapshotCopies.Copy::state);
            return state.map(s -> new long[] {s.bytesDone(), s.bytesTotal()}).orElse(new long[] {0, 0});
        }
        long done = 0;
        long total = 0;
        for (ObservedDatabase.Table t : o.tables()) {
            if (!t.published()) {
                continue;
            }
            total += t.sourceBytes() == null ? 0 : t.sourceBytes();
            done += MappingViewAssembler.copiedBytes(t.sourceBytes(), t.syncState(),
                    t.copy().map(ObservedDatabase.TableSyncProgress::bytesDone).orElse(null));
        }
        return new long[] {done, total};
    }

    Trend trend(String mapping) {
        Deque<Point> series = points.get(mapping);
        if (series == null) {
            return Trend.NONE;
        }
        List<Point> copy;
        synchronized (series) {
            copy = List.copyOf(series);
        }
        if (copy.isEmpty()) {
            return Trend.NONE;
        }
        Point last = copy.getLast();
        boolean copying = last.copyTotal() > 0 && last.copyDone() < last.copyTotal();
        Long secondsLeft = copying ? secondsLeft(copy, last) : null;
        List<Point> lag = copy.stream().filter(p -> p.worstLagBytes() != null).toList();
        String spark = lag.size() < 2 ? null : spark(lag, last.at());
        Long max = lag.isEmpty() ? null : lag.stream().mapToLong(Point::worstLagBytes).max().orElse(0);
        return new Trend(copying ? (int) (last.copyDone() * 100 / last.copyTotal()) : null,
                copying ? last.copyDone() : null, copying ? last.copyTotal() : null, secondsLeft, spark, max);
    }

    /** At the rate of the last minutes; null while it is not known (or the copy stands still). */
    private static Long secondsLeft(List<Point> series, Point last) {
        Point first = series.stream().filter(p -> !p.at().isBefore(last.at().minus(RATE_WINDOW))).findFirst()
                .orElse(last);
        double seconds = Duration.between(first.at(), last.at()).toMillis() / 1000.0;
        long bytes = last.copyDone() - first.copyDone();
        if (seconds < 1 || bytes <= 0) {
            return null;
        }
        return Math.round((last.copyTotal() - last.copyDone()) / (bytes / seconds));
    }

    /**
     * A polyline in a SPARK_WIDTH x SPARK_HEIGHT box, ending now, over what is kept (5 minutes at
     * least, the last hour at most); 0 at the bottom.
     */
    private static String spark(List<Point> lag, Instant now) {
        long max = Math.max(1, lag.stream().mapToLong(Point::worstLagBytes).max().orElse(1));
        Duration kept = Duration.between(lag.getFirst().at(), now);
        double span = Math.max(kept.toMillis(), Duration.ofMinutes(5).toMillis());
        StringBuilder out = new StringBuilder();
        for (Point p : lag) {
            double age = Duration.between(p.at(), now).toMillis();
            long x = Math.round(SPARK_WIDTH * (1 - Math.min(age, span) / span));
            long y = Math.round((SPARK_HEIGHT - 2) * (1 - (double) p.worstLagBytes() / max)) + 1;
            out.append(x).append(',').append(y).append(' ');
        }
        return out.toString().strip();
    }
}
