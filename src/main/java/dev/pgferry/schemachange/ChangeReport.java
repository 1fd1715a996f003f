package dev.pgferry.schemachange;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The schema changes of one database as last classified, with what happened to them: when each
 * was applied last (and by whom) and the last failure of each that failed, by change id.
 */
public record ChangeReport(Instant classifiedAt, List<SchemaChange> changes, String error,
        List<Applied> applied, Map<String, Failure> failures) {

    public ChangeReport {
        changes = List.copyOf(changes);
        applied = List.copyOf(applied);
        failures = Map.copyOf(failures);
    }

    static final ChangeReport EMPTY = new ChangeReport(null, List.of(), null, List.of(), Map.of());

    /**
     * A change pgferry applied: when, by whom (pgferry itself or the confirming operator), and what it
     * ran; read back from the audit log after a restart, {@code what} holds the whole audit entry.
     */
    public record Applied(Instant at, String actor, String id, String what, String object, String sql) {
    }

    /** The last failure of a change, and how many times in a row it failed. */
    public record Failure(Instant at, String message, int attempts) {
    }

    ChangeReport withChanges(Instant at, List<SchemaChange> fresh, String failure) {
        return new ChangeReport(at, fresh, failure, applied, failures);
    }

    /** The history is kept short: the last 50 applied changes. */
    static final int HISTORY = 50;

    /** The history read back from the audit log after a restart, unless this process applied some already. */
    ChangeReport withHistory(List<Applied> earlier) {
        return applied.isEmpty() ? new ChangeReport(classifiedAt, changes, error, earlier, failures) : this;
    }

    ChangeReport withApplied(Applied done) {
        List<Applied> all = new java.util.ArrayList<>(applied);
        all.addFirst(done);
        Map<String, Failure> left = new java.util.HashMap<>(failures);
        left.remove(done.id());
        return new ChangeReport(classifiedAt, changes, error, all.subList(0, Math.min(all.size(), HISTORY)), left);
    }

    ChangeReport without(String failed) {
        Map<String, Failure> left = new java.util.HashMap<>(failures);
        left.remove(failed);
        return new ChangeReport(classifiedAt, changes, error, applied, left);
    }

    ChangeReport withFailure(String id, Instant at, String message) {
        Map<String, Failure> all = new java.util.HashMap<>(failures);
        Failure before = all.get(id);
        all.put(id, new Failure(at, message, before == null ? 1 : before.attempts() + 1));
        return new ChangeReport(classifiedAt, changes, error, applied, all);
    }
}
