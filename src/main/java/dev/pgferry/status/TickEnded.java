package dev.pgferry.status;

/**
 * Published (as a Spring event) after each tick has published a mapping's status: work that
 * follows the status beside the loop (the freeze's outlook) listens for it and only queues.
 */
public record TickEnded(MappingStatus status) {
}
