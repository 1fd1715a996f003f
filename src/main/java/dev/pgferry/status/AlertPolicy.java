package dev.pgferry.status;

import java.util.List;

/**
 * What a mapping's alerts are, given its status: the alert rules (package {@code alert}) answer.
 * An interface here so that the status board can ask while the rules, which read statuses,
 * depend on this package and not the reverse.
 */
@FunctionalInterface
public interface AlertPolicy {

    List<Alert> alertsOf(MappingStatus status);
}
