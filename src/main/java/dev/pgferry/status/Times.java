package dev.pgferry.status;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A time as people read it in a sentence (a reason, a step's detail): "2026-12-02 10:15:03 UTC",
 * to the second. The API's own fields stay ISO 8601.
 */
public final class Times {

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    public static String utc(Instant at) {
        return at == null ? "—" : UTC.format(at);
    }
}
