package dev.pgferry.audit;

import java.time.Instant;

/**
 * Published (as a Spring event) once an audit entry is written: an operator's action, a cutover
 * step, a completion. Notifications tell about it; nothing else listens.
 */
public record Audited(Instant at, String actor, String action, String mapping, String database, String detail) {
}
