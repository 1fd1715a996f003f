package dev.pgferry.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a tick's time went, part by part: logged when the tick took longer than
 * {@link #SLOW}, so that an operator (and the benchmarks) can tell which part held up the loop.
 */
final class TickTimes {

    private static final Logger log = LoggerFactory.getLogger(TickTimes.class);
    /** A tick longer than this is logged with its parts (the goal for every tick, issue 24). */
    static final Duration SLOW = Duration.ofSeconds(5);

    private final Clock clock;
    private final Instant started;
    private Instant last;
    private final List<String> parts = new ArrayList<>();

    TickTimes(Clock clock, Instant started) {
        this.clock = clock;
        this.started = started;
        this.last = started;
    }

    /** The part that ended now. */
    void mark(String part) {
        Instant now = clock.instant();
        parts.add(part + " " + seconds(Duration.between(last, now)));
        last = now;
    }

    void logIfSlow(String mapping) {
        Duration total = Duration.between(started, last);
        if (total.compareTo(SLOW) > 0) {
            log.warn("mapping {}: slow tick, {}: {}", mapping, seconds(total), String.join(", ", parts));
        }
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
