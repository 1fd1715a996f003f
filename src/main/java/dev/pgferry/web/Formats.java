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

    /** An instant as "2026-12-01 12:47:03 UTC". */
    public String utc(java.time.Instant at) {
        return at == null ? "—" : java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
                .withZone(java.time.ZoneOffset.UTC).format(at);
    }
}
