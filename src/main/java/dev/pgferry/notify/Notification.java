package dev.pgferry.notify;

import java.time.Instant;
import java.util.Map;

/**
 * One change an operator is told about. {@code event} is one of
 * {@link dev.pgferry.config.NotifyTarget#EVENTS}; {@code database} is null for the whole
 * mapping; {@code facts} are the details a receiver may want to act on (phase, alert kind, ...).
 */
public record Notification(String event, String mapping, String database, String title, String text, Instant at,
        Map<String, String> facts) {

    public Notification {
        facts = facts == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(facts));
    }
}
