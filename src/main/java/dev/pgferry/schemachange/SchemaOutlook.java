package dev.pgferry.schemachange;

import dev.pgferry.replication.PublishedTable;
import java.util.List;

/**
 * What the planner needs to know about a database's schema changes: those due to be applied now
 * (safe ones under apply-safe, not waiting after a failure); tables both sides have that the
 * publication does not list yet ({@code unpublished}: a new table whose publishing failed after
 * the destination got it) and whether the subscription misses tables the publication lists
 * ({@code refresh}); and, when the apply worker keeps failing while the destination lacks a
 * column the source has, which change it waits for (null otherwise).
 */
public record SchemaOutlook(List<SchemaChange> due, List<PublishedTable> unpublished, boolean refresh,
        String waitingFor) {

    public static final SchemaOutlook NONE = new SchemaOutlook(List.of(), List.of(), false, null);

    public SchemaOutlook {
        due = List.copyOf(due);
        unpublished = List.copyOf(unpublished);
    }

    /** Whether anything is due to be carried out now. */
    public boolean anythingDue() {
        return !due.isEmpty() || !unpublished.isEmpty() || refresh;
    }
}
