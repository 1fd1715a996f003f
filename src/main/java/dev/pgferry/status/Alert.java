package dev.pgferry.status;

/**
 * Something an operator should look at now, on the overview and in the API. {@code kind} is a
 * stable id (docs/operations.md lists them); database is null for a whole instance.
 */
public record Alert(Severity severity, String kind, String mapping, String database, String message, String fix) {

    public enum Severity {
        WARNING, CRITICAL
    }
}
