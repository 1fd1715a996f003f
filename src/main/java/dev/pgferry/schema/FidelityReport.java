package dev.pgferry.schema;

import java.time.Instant;
import java.util.List;

/**
 * The schema of one database compared object by object on both sides: how many objects each
 * side has and every difference (missing on one side, or defined differently).
 */
public record FidelityReport(String database, Instant checkedAt, int sourceObjects, int destinationObjects,
        List<Difference> differences, String error) {

    public FidelityReport {
        differences = List.copyOf(differences);
    }

    public static FidelityReport failed(String database, Instant at, String error) {
        return new FidelityReport(database, at, 0, 0, List.of(), error);
    }

    public boolean identical() {
        return error == null && differences.isEmpty();
    }

    /** One object that differs; a null side means the object is missing there. */
    public record Difference(String kind, String name, String source, String destination) {
    }
}
