package dev.pgferry.audit;

import java.time.Instant;

/** One entry of a mapping's audit log as read back: when, who, what, on which database (null: the mapping), detail. */
public record AuditRecord(Instant at, String actor, String action, String database, String detail) {

    /** The entry of a step that failed ("failed: ..."), which does not show the step done. */
    public boolean failed() {
        return detail != null && detail.startsWith("failed");
    }
}
