package dev.pgferry.notify;

import java.time.Instant;

/** A webhook as the configuration page shows it: where (scheme and host only), what, and how delivery went. */
public record TargetState(String name, String url, String format, String events, boolean signed, long sent,
        long retried, long failed, long dropped, int queued, Instant lastSentAt, Instant lastFailedAt,
        String lastError) {
}
