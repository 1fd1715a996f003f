package dev.pgferry.status;

import java.time.Instant;

/**
 * The last failure of an action of this database, kept in memory only: after a restart the
 * action is simply tried again. {@code attempts} drives the back-off.
 */
public record ActionFailure(String action, String message, int attempts, Instant at) {
}
