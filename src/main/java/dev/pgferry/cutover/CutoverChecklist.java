package dev.pgferry.cutover;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.cutover.CutoverView.ConnectionChange;
import dev.pgferry.cutover.CutoverView.FreezeView;
import dev.pgferry.cutover.CutoverView.Step;
import dev.pgferry.cutover.CutoverView.StepState;
import dev.pgferry.cutover.Freeze.FreezeState;
import dev.pgferry.cutover.FreezeLedger.Entry;
import dev.pgferry.cutover.MaterializedViews.RefreshReport;
import dev.pgferry.cutover.SequenceSync.SequenceReport;
import dev.pgferry.cutover.Verifier.VerifyReport;
import dev.pgferry.largeobjects.LargeObjectSync.LargeObjectReport;
import dev.pgferry.schema.FidelityReport;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Decides a mapping's cutover checklist from what pgferry knows (pure: the mapping's last
 * status, the freeze's outlook and each database's cutover reports in, the checklist out). The
 * order is the runbook's (docs/cutover.md); each step says how to go back. The pages and the API
 * only show it.
 */
public final class CutoverChecklist {

    /**
     * What the checklist is decided from; {@code databases} in the status's order; {@code records}
     * the mapping's audit log, newest first.
     */
    public record Facts(MappingStatus status, FreezeOutlook freeze, List<DatabaseFacts> databases,
            List<dev.pgferry.audit.AuditRecord> records) {

        public Facts(MappingStatus status, FreezeOutlook freeze, List<DatabaseFacts> databases) {
            this(status, freeze, databases, List.of());
        }
    }

    /**
     * One database's cutover reports beside its status (each null until its step ran): the last
     * schema comparison, the freeze point and whether the slot passed it, the sequence sync, the
     * refresh of the materialized views, the verification, and the login roles that still need a
     * password on the destination.
     */
    public record DatabaseFacts(DatabaseStatus status, FidelityReport fidelity, Drain.FreezePoint freezePoint,
            Boolean drained, SequenceReport sequences, RefreshReport views, VerifyReport verification,
            List<String> rolesNeedingPassword, LargeObjectReport largeObjects) {

        /** Before the large objects had a step of their own (tests of the other steps). */
        public DatabaseFacts(DatabaseStatus status, FidelityReport fidelity, Drain.FreezePoint freezePoint,
                Boolean drained, SequenceReport sequences, RefreshReport views, VerifyReport verification,
                List<String> rolesNeedingPassword) {
            this(status, fidelity, freezePoint, drained, sequences, views, verification, rolesNeedingPassword, null);
        }

        /** Whether the source is known to have no large object (its facts read; null facts: not known). */
        boolean withoutLargeObjects() {
            return status.observed().sourceFacts().map(f -> f.largeObjects() == 0).orElse(false);
        }

        String name() {
            return status.database();
        }

        boolean isDrained() {
            return Boolean.TRUE.equals(drained);
        }
    }


    private CutoverChecklist() {
    }

    public static CutoverView of(Facts facts) {
        MappingStatus status = facts.status();
        Mapping mapping = status.mapping();
        boolean complete = status.phase() == Phase.COMPLETE;
        boolean ready = status.cutoverReady();
        boolean run = status.effectiveMode() == Mode.RUN;
        FreezeView freeze = freeze(facts.freeze());
        List<DatabaseFacts> databases = facts.databases();
        List<Step> steps = new ArrayList<>();
        steps.add(readyStep(databases, ready, complete));
        steps.add(fidelityStep(databases, complete));
        steps.add(freezeStep(freeze, facts.freeze().plan(), complete, run));
        steps.add(drainStep(databases, complete));
        steps.add(reportStep("sync-sequences", "Set every sequence on the destination from the source", databases,
                d -> d.sequences() != null && d.sequences().error() == null
                        && after(d.sequences().at(), freeze.frozenAt()),
                d -> d.sequences() == null ? null : d.name() + ": " + d.sequences().changed() + " sequence(s) set"
                        + (d.sequences().error() == null ? "" : ", failed: " + d.sequences().error()),
                "Values on the destination are only moved forward: harmless if the applications stay on the source.",
                complete || !run));
        steps.add(largeObjectsStep(databases, freeze.frozenAt(), complete || !run));
        steps.add(reportStep("refresh-matviews", "Refresh the materialized views on the destination", databases,
                d -> d.views() != null && d.views().error() == null && d.views().failed() == 0
                        && after(d.views().at(), freeze.frozenAt()),
                d -> d.views() == null ? null : d.name() + ": " + d.views().views().size() + " view(s), "
                        + d.views().failed() + " failed",
                "Only the destination's views change: harmless if the applications stay on the source.",
                complete || !run));
        steps.add(verifyStep(databases, freeze.frozenAt(), complete));
        boolean switched = !databases.isEmpty() && databases.stream()
                .allMatch(d -> d.status().phase() == Phase.SWITCHED);
        steps.add(reverseStep(mapping, databases, freeze, switched, complete, run));
        steps.add(switchStep(databases, complete));
        steps.add(rollbackStep(status, databases, switched, run));
        steps.add(completeStep(ready || switched, complete));
        if (freeze.frozen()) {
            steps.add(unfreezeStep(freeze, facts.freeze().state()));
        }
        // finished (complete or rolled back): a step shows done only with its record
        List<Step> recorded = RecordedSteps.apply(steps, facts.records(),
                complete || status.phase() == Phase.ROLLED_BACK);
        return new CutoverView(mapping.name(), mapping.source().name(), mapping.destination().name(),
                status.phase().name(), ready, freeze, recorded, connections(mapping, databases), status.rollbackReady(),
                status.phase() == Phase.ROLLED_BACK ? RecordedSteps.rolledBack(recorded, facts.records())
                        : RecordedSteps.completion(recorded, facts.records(), complete, databases.stream()
                                .filter(d -> d.status().plan().reason().contains("the source is unreachable"))
                                .map(d -> d.name() + ": " + d.status().plan().reason()).toList()));
    }

    static Step readyStep(List<DatabaseFacts> databases, boolean ready, boolean complete) {
        return new Step("ready", "Wait for the green light",
                complete || ready ? StepState.DONE : StepState.WAITING,
                ready ? "every database is cutover-ready"
                        : complete ? "the mapping is complete" : firstBlocking(databases),
                List.of("Each database's conditions show on the mapping's page."), List.of(),
                "Nothing has changed for the applications yet: they still use the source.", null, false);
    }

    static Step fidelityStep(List<DatabaseFacts> databases, boolean complete) {
        boolean identical = !databases.isEmpty() && databases.stream()
                .allMatch(d -> d.fidelity() != null && d.fidelity().identical());
        return new Step("fidelity", "Check the schema on both sides (optional)",
                identical ? StepState.DONE : StepState.TODO,
                identical ? "every database identical on both sides"
                        : "compares every object of each database from the catalogs (read-only)",
                List.of(), List.of(), "Read-only: nothing to undo.", "fidelity", !complete);
    }

    static Step freezeStep(FreezeView freeze, FreezePlan plan, boolean complete, boolean run) {
        List<String> notes = new ArrayList<>();
        notes.add("default_transaction_read_only alone is not a barrier: a session can SET it off or BEGIN READ "
                + "WRITE. NOLOGIN stops new sessions of the roles, and ending their sessions stops the open ones.");
        if (plan != null) {
            notes.add("roles to set NOLOGIN: " + (plan.roles().isEmpty() ? "none" : String.join(", ",
                    freeze.rolesToFreeze())) + "; sessions to end: " + plan.sessionsToEnd());
            freeze.rolesLeftAlone().forEach(r -> notes.add("left alone: " + r));
        } else if (freeze.readAt() == null && !freeze.frozen()) {
            notes.add("what a freeze would change is read from the source after the next tick");
        }
        notes.addAll(freeze.warnings());
        if (freeze.error() != null) {
            notes.add(freeze.error());
        }
        StepState state = freeze.frozen() || complete ? StepState.DONE
                : freeze.allowed() ? StepState.TODO : StepState.MANUAL;
        String detail = freeze.frozen() ? "frozen by " + freeze.frozenBy() + " at " + dev.pgferry.status.Times.utc(freeze.frozenAt())
                : freeze.allowed() ? "pgferry runs the commands below (recording each previous value), then ends "
                        + "the roles' sessions"
                : "the assisted freeze is off (" + freeze.allowVariable() + "=true turns it on): stop the "
                        + "applications' writers, or run these commands as a superuser on the source";
        String rollback = freeze.frozen() ? "Unfreeze (below) restores exactly what the freeze changed, as recorded "
                + "on the source; by hand: " + String.join(" ", freeze.undoCommands())
                : "By hand: " + String.join(" ", freeze.undoCommands());
        return new Step("freeze", "Stop the writes on the source (freeze)", state, detail, notes,
                plan == null ? List.of() : plan.commands(), rollback, "freeze",
                freeze.allowed() && !freeze.frozen() && !complete && run);
    }

    static Step drainStep(List<DatabaseFacts> databases, boolean complete) {
        boolean drained = !databases.isEmpty() && databases.stream().allMatch(DatabaseFacts::isDrained);
        boolean draining = databases.stream().anyMatch(d -> d.freezePoint() != null);
        StepState state = complete || drained ? StepState.DONE : draining ? StepState.RUNNING : StepState.TODO;
        String detail = drained ? "the destination has everything written before each freeze point"
                : draining ? "waiting for the subscriptions to confirm the freeze point: "
                        + databases.stream().filter(DatabaseFacts::isDrained).count() + " of " + databases.size()
                        + " database(s) drained"
                : "refused while a session on the source still holds a transaction id";
        List<String> notes = databases.stream().filter(d -> d.freezePoint() != null)
                .map(d -> d.name() + ": freeze point " + d.freezePoint().lsnText()
                        + (d.isDrained() ? ", drained" : ", draining")).toList();
        return new Step("drain", "Record the freeze point and wait until drained", state, detail, notes, List.of(),
                "Nothing changed: unfreeze to let the applications write on the source again.", "drain", !complete);
    }

    static Step verifyStep(List<DatabaseFacts> databases, Instant frozenAt, boolean complete) {
        boolean running = databases.stream().anyMatch(d -> d.verification() != null && d.verification().running());
        boolean equal = !databases.isEmpty() && databases.stream().allMatch(d -> d.verification() != null
                && d.verification().allEqual() && after(d.verification().requestedAt(), frozenAt));
        boolean differ = databases.stream().anyMatch(d -> d.verification() != null && !d.verification().running()
                && !d.verification().allEqual());
        StepState state = equal ? StepState.DONE : running ? StepState.RUNNING
                : differ ? StepState.FAILED : StepState.TODO;
        List<String> notes = databases.stream().filter(d -> d.verification() != null)
                .map(d -> d.name() + ": " + verification(d.verification())).toList();
        return new Step("verify", "Verify rows and checksums of every table", state,
                "exact rows and a checksum per primary-key range of every table on both sides, once drained",
                notes, List.of(), "Read-only: nothing to undo. A difference means: do not switch; see the range.",
                "verify", !complete && !running);
    }

    private static String verification(VerifyReport report) {
        return report.running() ? "verifying " + report.tables().size() + "/" + report.tablesTotal() + " tables"
                : report.allEqual() ? "rows and checksums equal"
                : report.tablesDiffering() + " table(s) differ" + (report.error() == null ? ""
                        : " (" + report.error() + ")") + "; the database's page shows the first differing key range";
    }

    static Step reverseStep(Mapping mapping, List<DatabaseFacts> databases, FreezeView freeze, boolean switched,
            boolean complete, boolean run) {
        boolean turning = databases.stream().anyMatch(d -> d.status().observed().reverse().isPresent());
        boolean drained = !databases.isEmpty() && databases.stream().allMatch(DatabaseFacts::isDrained);
        boolean verified = !databases.isEmpty() && databases.stream().allMatch(d -> d.verification() != null
                && d.verification().allEqual() && after(d.verification().requestedAt(), freeze.frozenAt()));
        String variable = "PGFERRY_MAPPINGS_" + mapping.name().toUpperCase(java.util.Locale.ROOT) + "_ALLOW_REVERSE";
        StepState state = switched ? StepState.DONE : turning ? StepState.RUNNING
                : !mapping.allowReverse() ? StepState.MANUAL
                : complete ? StepState.TODO
                : freeze.frozen() && drained && verified ? StepState.TODO : StepState.WAITING;
        String detail = switched ? "turned around: the destination's changes flow back to the source"
                : turning ? "turning around: the forward subscriptions go, the reverse ones are being made"
                : !mapping.allowReverse() ? "off (" + variable + "=true turns it on, with ALLOW_FREEZE): without it, "
                        + "going back after the switch means copying the destination's changes to the source by hand"
                : "after the freeze, the drain and a verification with every table equal: drops the forward "
                        + "subscriptions, then the source subscribes to the destination (copy_data = false), so every "
                        + "change the applications make there reaches the source";
        List<String> notes = databases.stream().filter(d -> d.status().observed().reverse().isPresent())
                .map(d -> d.name() + ": " + d.status().phase() + ", " + (d.status().rollbackReady()
                        ? "rollback-ready" : "not rollback-ready: " + d.status().readiness().blockingReason()))
                .toList();
        return new Step("reverse", "Turn the replication around (optional: a way back)", state, detail, notes,
                List.of(), "Complete the mapping to drop the reverse direction and retire the source. To go back "
                        + "instead: stop the writes on the destination, wait until the source is 0 bytes behind, set "
                        + "the source's sequences from the destination, then complete and unfreeze the source.",
                "reverse", mapping.allowReverse() && run && !complete && !switched && !turning && freeze.frozen());
    }

    static Step rollbackStep(MappingStatus status, List<DatabaseFacts> databases, boolean switched, boolean run) {
        Mapping mapping = status.mapping();
        boolean rolledBack = !databases.isEmpty() && databases.stream()
                .allMatch(d -> d.status().phase() == Phase.ROLLED_BACK);
        // a rollback recorded on the destination, not ended yet
        List<DatabaseFacts> rolling = databases.stream().filter(d -> d.status().phase() != Phase.ROLLED_BACK
                && status.destination() != null && status.destination().rollback(mapping.name(), d.name())
                        .isPresent()).toList();
        boolean ready = switched && databases.stream().allMatch(d -> d.status().rollbackReady());
        StepState state = rolledBack ? StepState.DONE : !rolling.isEmpty() ? StepState.RUNNING
                : !mapping.allowReverse() ? StepState.MANUAL : ready ? StepState.TODO : StepState.WAITING;
        String detail = rolledBack ? "rolled back: the source has every change made on the destination (verified) "
                + "and is unfrozen; the destination stays frozen for the applications"
                : !rolling.isEmpty() ? "rolling back: " + rolling.size() + " of " + databases.size() + " database(s) "
                        + "on their way back"
                : !mapping.allowReverse() ? "only after turning around (off for this mapping)"
                : "instead of complete, once turned around and rollback-ready: freezes the applications on the "
                        + "destination, waits until the source has everything, sets the source's sequences, verifies "
                        + "every table, unfreezes the source and removes the reverse direction";
        List<String> notes = java.util.stream.Stream.concat(rolling.stream(), databases.stream()
                .filter(d -> d.status().phase() == Phase.ROLLED_BACK)).map(d -> d.name() + ": " + d.status().plan()
                .reason()).toList();
        return new Step("rollback", "Roll back to the source (instead of complete)", state, detail, notes,
                List.of(), rolledBack ? "To use the destination again, unfreeze it (its applications' roles were "
                        + "frozen by the rollback) and start the migration over."
                        : "Until it is recorded nothing changed but the destination's freeze: unfreeze the "
                                + "destination to let the applications write there again.",
                rolledBack ? "unfreeze-destination" : "rollback",
                rolledBack || switched && rolling.isEmpty() && mapping.allowReverse() && run);
    }

    static Step switchStep(List<DatabaseFacts> databases, boolean complete) {
        List<String> roles = databases.stream().flatMap(d -> d.rolesNeedingPassword().stream()).distinct().sorted()
                .toList();
        return new Step("switch", "Point the applications at the destination",
                complete ? StepState.DONE : StepState.MANUAL,
                "change each connection below (host, port, database); the roles and their grants are on the "
                        + "destination already",
                roles.isEmpty() ? List.of() : List.of("set a password on the destination for: "
                        + String.join(", ", roles)), List.of(),
                "Point them back at the source and unfreeze it; writes made on the destination meanwhile are not "
                        + "copied back.", null, false);
    }

    static Step completeStep(boolean ready, boolean complete) {
        return new Step("complete", "Mark complete",
                complete ? StepState.DONE : ready ? StepState.TODO : StepState.WAITING,
                complete ? "subscriptions, slots and publications removed (or being removed)"
                        : "drops each subscription (and its slot) on the destination and each publication on the "
                                + "source; a source that is down gets the exact command to run later",
                List.of(), List.of(),
                "No way back through pgferry afterwards: replication is gone; the source keeps its data (and stays "
                        + "frozen until unfrozen).", "complete", !complete && ready);
    }

    static Step unfreezeStep(FreezeView freeze, FreezeState state) {
        return new Step("unfreeze", "Unfreeze the source", StepState.TODO,
                "restores every role and database setting the freeze changed, exactly as recorded; after "
                        + "complete only once no application can reach the source any more, or to go back",
                freeze.changes(), state.changes().stream().map(e -> e.change().restoreSql() + ";").toList(),
                "Freeze again to stop the writes once more.", "unfreeze", true);
    }

    /**
     * The large objects: copied with the snapshot, not streamed, so whatever changed since is
     * copied again once the source is frozen. Done at once for databases without any.
     */
    /** The large objects' step when the sources have none: done without running, even once complete. */
    static final String NO_LARGE_OBJECTS = "no large objects on the source at its last reading (at most two minutes "
            + "old): run it anyway if some may have been created since";

    static Step largeObjectsStep(List<DatabaseFacts> databases, Instant frozenAt, boolean disabled) {
        boolean none = !databases.isEmpty() && databases.stream().allMatch(DatabaseFacts::withoutLargeObjects);
        if (none) {
            return new Step("sync-large-objects", "Copy the large objects changed since the copy", StepState.DONE,
                    NO_LARGE_OBJECTS, List.of(), List.of(), "Nothing to undo.", "sync-large-objects",
                    !disabled);
        }
        Step step = reportStep("sync-large-objects", "Copy the large objects changed since the copy", databases,
                d -> d.withoutLargeObjects() || d.largeObjects() != null && d.largeObjects().error() == null
                        && after(d.largeObjects().at(), frozenAt),
                d -> d.largeObjects() == null ? null : d.name() + ": " + (d.largeObjects().error() != null
                        ? "failed: " + d.largeObjects().error()
                        : d.largeObjects().outcome().copied() + " copied, " + d.largeObjects().outcome().removed()
                                + " removed, " + d.largeObjects().outcome().unchanged() + " unchanged"),
                "Only the destination's large objects change: harmless if the applications stay on the source.",
                disabled);
        return step;
    }

    private static Step reportStep(String id, String title, List<DatabaseFacts> databases,
            Predicate<DatabaseFacts> done, Function<DatabaseFacts, String> line, String rollback, boolean disabled) {
        boolean all = !databases.isEmpty() && databases.stream().allMatch(done);
        List<String> notes = databases.stream().map(line).filter(l -> l != null).toList();
        return new Step(id, title, all ? StepState.DONE : StepState.TODO, all
                ? "done for every database after the freeze" : "after the drain, so the values are final", notes,
                List.of(), rollback, id, !disabled);
    }

    static FreezeView freeze(FreezeOutlook outlook) {
        FreezeState state = outlook.state();
        FreezePlan plan = outlook.plan();
        boolean frozen = outlook.frozen();
        return new FreezeView(outlook.allowed(), outlook.allowVariable(), frozen, frozen ? state.frozenAt() : null,
                frozen ? state.frozenBy() : null,
                frozen ? state.changes().stream().map(CutoverChecklist::describe).toList() : List.of(),
                plan == null ? List.of() : plan.roles().stream().map(r -> r.name() + " (" + String.join("; ", r.reasons())
                        + (r.sessions() > 0 ? "; " + r.sessions() + " session(s) to end" : "") + ")").toList(),
                plan == null ? List.of() : plan.leftAlone().stream().map(r -> r.name() + ": " + r.reason()).toList(),
                plan == null ? 0 : plan.sessionsToEnd(), plan == null ? List.of() : plan.warnings(), outlook.error(),
                frozen ? state.undoCommands() : plan == null ? List.of() : plan.undoCommands(), outlook.readAt());
    }

    private static String describe(Entry entry) {
        return switch (entry.change().kind()) {
            case ROLE_LOGIN -> "role " + entry.change().target() + " set NOLOGIN (was LOGIN)";
            case DATABASE_READ_ONLY -> "database " + entry.change().target() + " default_transaction_read_only = on"
                    + " (was " + (entry.change().previous() == null ? "not set" : entry.change().previous()) + ")";
        };
    }

    private static List<ConnectionChange> connections(Mapping mapping, List<DatabaseFacts> databases) {
        return databases.stream().map(d -> new ConnectionChange(d.name(), url(mapping.source(), d.name()),
                url(mapping.destination(), d.name()), "jdbc:" + url(mapping.source(), d.name()),
                "jdbc:" + url(mapping.destination(), d.name()))).toList();
    }

    private static String url(Instance instance, String database) {
        String host = instance.host().contains(":") ? "[" + instance.host() + "]" : instance.host();
        return "postgresql://" + host + ":" + instance.port() + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String firstBlocking(List<DatabaseFacts> databases) {
        return databases.stream().map(DatabaseFacts::status).filter(d -> !d.cutoverReady()).findFirst()
                .map(d -> d.database() + " is " + d.phase() + ": " + d.plan().reason())
                .orElse("no database observed yet");
    }

    private static boolean after(Instant at, Instant frozenAt) {
        return frozenAt == null || (at != null && !at.isBefore(frozenAt));
    }
}
