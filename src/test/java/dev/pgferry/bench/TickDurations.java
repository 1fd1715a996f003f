package dev.pgferry.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each tick's duration, read from pgferry's own timer (pgferry_tick_seconds count and sum per
 * mapping) sampled more often than ticks happen: between two samples one tick ended, and the sum
 * grew by its duration. When two ended between samples, each is counted at their mean.
 */
final class TickDurations {

    static final Duration SAMPLE = Duration.ofMillis(500);

    private final Map<String, double[]> last;
    private final Map<String, List<Double>> millis = new HashMap<>();

    TickDurations(Map<String, double[]> start) {
        this.last = new HashMap<>(start);
    }

    void sample(Map<String, double[]> now) {
        now.forEach((mapping, values) -> {
            double[] before = last.getOrDefault(mapping, new double[3]);
            long ended = Math.round(values[0] - before[0]);
            for (long i = 0; i < ended; i++) {
                millis.computeIfAbsent(mapping, k -> new ArrayList<>()).add((values[1] - before[1]) / ended * 1000);
            }
            last.put(mapping, values);
        });
    }

    /** "mapping: N ticks, mean, p99 and max in ms". */
    String summary(String mapping) {
        List<Double> sorted = new ArrayList<>(millis.getOrDefault(mapping, List.of()));
        sorted.sort(Double::compare);
        if (sorted.isEmpty()) {
            return String.format("%-9s: no tick ended", mapping);
        }
        double mean = sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double p99 = sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1));
        return String.format("%-9s: %d ticks, mean %.0f ms, p99 %.0f ms, max %.0f ms", mapping, sorted.size(), mean,
                p99, sorted.getLast());
    }
}
