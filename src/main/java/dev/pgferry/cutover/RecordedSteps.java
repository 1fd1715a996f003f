package dev.pgferry.cutover;

import dev.pgferry.audit.AuditRecord;
import dev.pgferry.cutover.CutoverView.Step;
import dev.pgferry.cutover.CutoverView.StepState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each cutover step's audit record says (pure): a step pgferry does shows who did it and
 * when; once the mapping is complete, a step shows done only with its record (pgferry's memory of
 * its reports is gone after a restart, and a step may have been skipped or done by hand); the
 * switch of the applications is always the operator's. Also the completed mapping's summary.
 */
final class RecordedSteps {

    /** Step id to the audit action that records it ("freeze" also matches "freeze (forced)"). */
    private static final Map<String, String> ACTIONS = Map.ofEntries(Map.entry("freeze", "freeze"),
            Map.entry("drain", "drain"), Map.entry("sync-sequences", "sync-sequences"),
            Map.entry("sync-large-objects", "sync-large-objects"), Map.entry("refresh-matviews", "refresh-matviews"),
            Map.entry("verify", "verify"), Map.entry("complete", "complete"), Map.entry("unfreeze", "unfreeze"),
            Map.entry("reverse", "reverse"), Map.entry("rollback", "rollback"));

    /** The steps before complete that pgferry records: without a record, a completed mapping's step did not happen here. */
    private static final java.util.Set<String> TOLD_BY_RECORD = java.util.Set.of("freeze", "drain", "sync-sequences",
            "sync-large-objects", "refresh-matviews", "verify");

    /** The completed mapping's summary, in the runbook's order. */
    private static final List<String> SUMMARY = List.of("complete", "freeze", "drain", "sync-sequences",
            "sync-large-objects", "refresh-matviews", "verify", "switch", "unfreeze");

    /** A rolled-back mapping's summary: the way back, then the steps before it. */
    private static final List<String> ROLLBACK_SUMMARY = List.of("rollback", "reverse", "freeze", "drain",
            "sync-sequences", "sync-large-objects", "refresh-matviews", "verify", "switch");


    private RecordedSteps() {
    }

    /** {@code complete}: the mapping is finished (complete or rolled back). */
    static List<Step> apply(List<Step> steps, List<AuditRecord> records, boolean complete) {
        return steps.stream().map(step -> apply(step, records, complete)).toList();
    }

    private static Step apply(Step step, List<AuditRecord> records, boolean complete) {
        if ("switch".equals(step.id()) && complete) {
            return with(step, StepState.MANUAL, "by the operator: pgferry cannot see where the applications connect");
        }
        String action = ACTIONS.get(step.id());
        if (action == null) {
            return step;
        }
        Optional<AuditRecord> record = newest(records, action);
        if (record.isPresent() && (step.state() == StepState.DONE || complete)) {
            AuditRecord r = record.get();
            return with(step, StepState.DONE, "done by " + r.actor() + " at " + dev.pgferry.status.Times.utc(r.at())
                    + (r.action().equals(action) ? "" : " (" + r.action() + ")") + outcome(step.id(), r, records));
        }
        boolean nothingToDo = CutoverChecklist.NO_LARGE_OBJECTS.equals(step.detail());
        if (complete && TOLD_BY_RECORD.contains(step.id()) && !nothingToDo) {
            return with(step, StepState.NOT_RECORDED, "freeze".equals(step.id())
                    ? "pgferry froze nothing for this mapping: the writes were stopped by hand, or not at all"
                    : "not recorded by pgferry: done by hand, or skipped");
        }
        return step;
    }

    /** What a report step found, as its record says (the verification's result, the sequences set). */
    private static String outcome(String id, AuditRecord r, List<AuditRecord> records) {
        if (!Set.of("drain", "verify", "sync-sequences", "sync-large-objects", "refresh-matviews").contains(id) || r.detail() == null) {
            return "";
        }
        if (r.database() == null) {
            return ": " + shortened(r.detail());
        }
        // recorded per database: the newest of each
        java.util.Map<String, String> byDatabase = new java.util.LinkedHashMap<>();
        records.stream().filter(x -> !x.failed() && x.action().equals(r.action()) && x.database() != null)
                .forEach(x -> byDatabase.putIfAbsent(x.database(), shortened(x.detail())));
        return ": " + byDatabase.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(java.util.stream.Collectors.joining("; "));
    }

    private static String shortened(String detail) {
        return detail == null ? "" : detail.length() > 200 ? detail.substring(0, 200) + "…" : detail;
    }

    /** The newest successful record of the action (the log is read newest first). */
    static Optional<AuditRecord> newest(List<AuditRecord> records, String action) {
        return records.stream().filter(r -> !r.failed())
                .filter(r -> r.action().equals(action) || r.action().startsWith(action + " ("))
                .findFirst();
    }

    /**
     * Once complete: the steps that tell how it went, each with what happened; the unfreeze once
     * done (its step is gone then); and what is left on a source that was unreachable at
     * completion ({@code leftOnSource}: each such database's reason, with the command to run).
     */
    static List<Step> completion(List<Step> steps, List<AuditRecord> records, boolean complete,
            List<String> leftOnSource) {
        if (!complete) {
            return List.of();
        }
        return summary(SUMMARY, steps, records, leftOnSource);
    }

    /** Once rolled back: the rollback and the steps before it, as recorded. */
    static List<Step> rolledBack(List<Step> steps, List<AuditRecord> records) {
        return summary(ROLLBACK_SUMMARY, steps, records, List.of());
    }

    private static List<Step> summary(List<String> order, List<Step> steps, List<AuditRecord> records,
            List<String> leftOnSource) {
        List<Step> summary = new java.util.ArrayList<>(order.stream()
                .flatMap(id -> steps.stream().filter(s -> s.id().equals(id))).toList());
        if (steps.stream().noneMatch(s -> s.id().equals("unfreeze"))) {
            newest(records, "unfreeze").ifPresent(r -> summary.add(new Step("unfreeze", "Unfreeze the source",
                    StepState.DONE, "done by " + r.actor() + " at " + dev.pgferry.status.Times.utc(r.at()), List.of(), List.of(), "",
                    null, false)));
        }
        for (String left : leftOnSource) {
            summary.add(new Step("left-on-source", "Left on the source", StepState.MANUAL, left, List.of(), List.of(),
                    "", null, false));
        }
        return summary;
    }

    private static Step with(Step step, StepState state, String detail) {
        return new Step(step.id(), step.title(), state, detail, step.notes(), step.commands(), step.rollback(),
                step.action(), step.actionEnabled());
    }
}
