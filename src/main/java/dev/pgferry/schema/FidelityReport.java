package dev.pgferry.schema;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The schema of one database, and the roles it needs, compared object by object on both sides:
 * how many objects each side has and every difference (missing on one side, or defined
 * differently). {@code reusedRoles} are roles that differ but that the mapping reuses unchanged
 * on purpose ({@code ROLE_CONFLICT=merge}, warned at pre-flight): shown, not counted as drift.
 */
public record FidelityReport(String database, Instant checkedAt, int sourceObjects, int destinationObjects,
        List<Difference> differences, List<Difference> reusedRoles, String error) {

    public FidelityReport {
        differences = List.copyOf(differences);
        reusedRoles = List.copyOf(reusedRoles);
    }

    /**
     * A report of the differences found, with the roles set apart that differ only because they
     * were on the destination before and are reused as {@code ROLE_CONFLICT=merge} says: a role
     * of both sides, merge, not among those pgferry created ({@code created}, quoted names). A
     * role pgferry created that differs is drift, as is a role missing on either side.
     */
    public static FidelityReport of(String database, Instant at, int sourceObjects, int destinationObjects,
            List<Difference> differences, boolean merge, Set<String> created) {
        Predicate<Difference> reused = d -> merge && d.kind().equals(FingerprintQuery.ROLE) && d.source() != null
                && d.destination() != null && !created.contains(d.name());
        return new FidelityReport(database, at, sourceObjects, destinationObjects,
                differences.stream().filter(reused.negate()).toList(), differences.stream().filter(reused).toList(),
                null);
    }

    public static FidelityReport failed(String database, Instant at, String error) {
        return new FidelityReport(database, at, 0, 0, List.of(), List.of(), error);
    }

    public boolean identical() {
        return error == null && differences.isEmpty();
    }

    /** One object that differs; a null side means the object is missing there. */
    public record Difference(String kind, String name, String source, String destination) {
    }
}
