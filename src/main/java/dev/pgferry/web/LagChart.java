package dev.pgferry.web;

import dev.pgferry.monitor.LagHistory.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A server-rendered SVG line chart of the last hour's apply lag and retained WAL: two polylines
 * in a fixed 600 x 120 box, the time axis ending now, the value axis from 0 to the largest value.
 */
public record LagChart(String lagPoints, String retainedPoints, long maxBytes, int samples) {

    static final int WIDTH = 600;
    static final int HEIGHT = 120;

    static LagChart of(List<Sample> samples, Instant now, Duration window) {
        long max = Math.max(1, samples.stream().mapToLong(s -> Math.max(s.lagBytes(), s.retainedBytes())).max()
                .orElse(1));
        return new LagChart(points(samples, now, window, max, true), points(samples, now, window, max, false), max,
                samples.size());
    }

    private static String points(List<Sample> samples, Instant now, Duration window, long max, boolean lag) {
        StringBuilder points = new StringBuilder();
        double span = window.toMillis();
        for (Sample s : samples) {
            double age = Duration.between(s.at(), now).toMillis();
            double x = WIDTH * (1 - Math.min(age, span) / span);
            double y = HEIGHT * (1 - (double) (lag ? s.lagBytes() : s.retainedBytes()) / max);
            // one decimal is a tenth of a pixel; appended by hand, as String.format costs a microsecond a point
            points.append(tenths(x)).append(',').append(tenths(y)).append(' ');
        }
        return points.toString().strip();
    }

    private static String tenths(double value) {
        long scaled = Math.round(value * 10);
        return (scaled < 0 ? "-" : "") + Math.abs(scaled) / 10 + "." + Math.abs(scaled) % 10;
    }
}
