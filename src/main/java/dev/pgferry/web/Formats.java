package dev.pgferry.web;

import org.springframework.stereotype.Component;

/** Number formats for templates ({@code @formats} in Thymeleaf). */
@Component("formats")
public class Formats {

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB"};

    public String bytes(Long bytes) {
        if (bytes == null) {
            return "—";
        }
        double value = Math.max(bytes, 0);
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? (long) value + " B" : String.format("%.1f %s", value, UNITS[unit]);
    }

    /** Seconds as "42 s", "3 min 5 s" or "2 h 10 min". */
    public String duration(Long seconds) {
        if (seconds == null) {
            return "—";
        }
        long s = Math.max(seconds, 0);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s / 3600 + " h " + s % 3600 / 60 + " min";
    }

    private final java.time.Clock clock;

    public Formats() {
        this(java.time.Clock.systemUTC());
    }

    Formats(java.time.Clock clock) {
        this.clock = clock;
    }

    /**
     * How long ago: "12 s ago", "5 min ago", "2 h 5 min ago", "3 d 4 h ago" ("just now" under a
     * second, and for a clock a little ahead of this one); the exact time goes on hover
     * ({@code fragments :: when}).
     */
    public String ago(java.time.Instant at) {
        if (at == null) {
            return "—";
        }
        long s = java.time.Duration.between(at, clock.instant()).toSeconds();
        if (s < 1) {
            return "just now";
        }
        return span(s) + " ago";
    }

    /** "12 s", "5 min", "2 h 5 min", "3 d 4 h": an age, to the unit that matters. */
    static String span(long s) {
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min";
        }
        if (s < 86_400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86_400 + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + s % 86_400 / 3600 + " h");
    }

    /** An instant as ISO 8601 to the second, for a time element's datetime. */
    public String iso(java.time.Instant at) {
        return at == null ? "" : at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    /** An instant as "2026-12-01 12:47:03 UTC". */
    public String utc(java.time.Instant at) {
        return dev.pgferry.status.Times.utc(at);
    }
}
