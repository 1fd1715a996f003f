package dev.pgferry.web;

import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.cutover.Freeze.FreezeState;
import dev.pgferry.cutover.FreezeLedger.Entry;
import dev.pgferry.cutover.FreezePlan;
import dev.pgferry.reconcile.CutoverActions.FreezeOutlook;
import dev.pgferry.web.CutoverView.ConnectionChange;
import dev.pgferry.web.CutoverView.FreezeView;
import dev.pgferry.web.CutoverView.Step;
import dev.pgferry.web.MappingView.DatabaseView;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Builds a mapping's cutover checklist from what pgferry sees (pure: the mapping's view, its
 * configuration and the freeze's outlook in, the checklist out). The order is the runbook's
 * (docs/cutover.md); each step says how to go back.
 */
final class CutoverChecklist {

    private CutoverChecklist() {
    }

    static CutoverView of(MappingView view, Mapping mapping, FreezeOutlook outlook) {
        boolean complete = "COMPLETE".equals(view.phase());
        FreezeView freeze = freeze(outlook);
        Instant frozenAt = freeze.frozenAt();
        List<DatabaseView> databases = view.databases();
        List<Step> steps = new ArrayList<>();

        steps.add(new Step("ready", "Wait for the green light", complete || view.cutoverReady() ? "done" : "waiting",
                view.cutoverReady() ? "every database is cutover-ready"
                        : complete ? "the mapping is complete" : firstBlocking(databases),
                List.of("Each database's conditions show on the mapping's page."), List.of(),
                "Nothing has changed for the applications yet: they still use the source.", null, false));

        boolean identical = !databases.isEmpty() && databases.stream()
                .allMatch(d -> d.fidelity() != null && d.fidelity().identical());
        steps.add(new Step("fidelity", "Check the schema on both sides (optional)", identical ? "done" : "todo",
                identical ? "every database identical on both sides"
                        : "compares every object of each database from the catalogs (read-only)",
                List.of(), List.of(), "Read-only: nothing to undo.", "fidelity", !complete));

        steps.add(freezeStep(view, freeze, outlook.plan(), complete));

        boolean drained = !databases.isEmpty() && databases.stream().allMatch(d -> Boolean.TRUE.equals(d.drained()));
        boolean draining = databases.stream().anyMatch(d -> d.freezePoint() != null);
        steps.add(new Step("drain", "Record the freeze point and wait until drained",
                complete ? "done" : drained ? "done" : draining ? "running" : "todo",
                drained ? "the destination has everything written before each freeze point"
                        : draining ? "waiting for the subscriptions to confirm the freeze point: "
                                + count(databases, d -> Boolean.TRUE.equals(d.drained())) + " of "
                                + databases.size() + " database(s) drained"
                        : "refused while a session on the source still holds a transaction id",
                databases.stream().filter(d -> d.freezePoint() != null)
                        .map(d -> d.name() + ": freeze point " + d.freezePoint()
                                + (Boolean.TRUE.equals(d.drained()) ? ", drained" : ", draining")).toList(),
                List.of(), "Nothing changed: unfreeze to let the applications write on the source again.", "drain",
                !complete));

        steps.add(reportStep("sync-sequences", "Set every sequence on the destination from the source", databases,
                d -> d.sequenceSync() != null && d.sequenceSync().error() == null && after(d.sequenceSync().at(),
                        frozenAt),
                d -> d.sequenceSync() == null ? null : d.name() + ": " + d.sequenceSync().changed()
                        + " sequence(s) set" + (d.sequenceSync().error() == null ? "" : ", failed: "
                                + d.sequenceSync().error()),
                "Values on the destination are only moved forward: harmless if the applications stay on the source.",
                complete || !"run".equals(view.mode())));

        steps.add(reportStep("refresh-matviews", "Refresh the materialized views on the destination", databases,
                d -> d.materializedViews() != null && d.materializedViews().error() == null
                        && d.materializedViews().failed() == 0 && after(d.materializedViews().at(), frozenAt),
                d -> d.materializedViews() == null ? null : d.name() + ": " + d.materializedViews().views().size()
                        + " view(s), " + d.materializedViews().failed() + " failed",
                "Only the destination's views change: harmless if the applications stay on the source.",
                complete || !"run".equals(view.mode())));

        steps.add(verifyStep(databases, frozenAt, complete));

        steps.add(new Step("switch", "Point the applications at the destination", complete ? "done" : "manual",
                "change each connection below (host, port, database); the roles and their grants are on the "
                        + "destination already",
                rolesNeedingPassword(databases), List.of(),
                "Point them back at the source and unfreeze it; writes made on the destination meanwhile are not "
                        + "copied back.", null, false));

        steps.add(new Step("complete", "Mark complete", complete ? "done" : view.cutoverReady() ? "todo" : "waiting",
                complete ? "subscriptions, slots and publications removed (or being removed)"
                        : "drops each subscription (and its slot) on the destination and each publication on the "
                                + "source; a source that is down gets the exact command to run later",
                List.of(), List.of(),
                "No way back through pgferry afterwards: replication is gone; the source keeps its data (and stays "
                        + "frozen until unfrozen).", "complete", !complete && view.cutoverReady()));

        if (freeze.frozen()) {
            steps.add(new Step("unfreeze", "Unfreeze the source", "todo",
                    "restores every role and database setting the freeze changed, exactly as recorded; after "
                            + "complete only once no application can reach the source any more, or to go back",
                    freeze.changes(), outlook.state().changes().stream().map(e -> e.change().restoreSql() + ";")
                            .toList(),
                    "Freeze again to stop the writes once more.", "unfreeze", true));
        }
        return new CutoverView(view.name(), view.source(), view.destination(), view.phase(), view.cutoverReady(),
                freeze, steps, connections(mapping, databases));
    }

    private static Step freezeStep(MappingView view, FreezeView freeze, FreezePlan plan, boolean complete) {
        List<String> notes = new ArrayList<>();
        notes.add("default_transaction_read_only alone is not a barrier: a session can SET it off or BEGIN READ "
                + "WRITE. NOLOGIN stops new sessions of the roles, and ending their sessions stops the open ones.");
        if (plan != null) {
            notes.add("roles to set NOLOGIN: " + (plan.roles().isEmpty() ? "none" : String.join(", ",
                    freeze.rolesToFreeze())) + "; sessions to end: " + plan.sessionsToEnd());
            freeze.rolesLeftAlone().forEach(r -> notes.add("left alone: " + r));
        }
        notes.addAll(freeze.warnings());
        if (freeze.error() != null) {
            notes.add(freeze.error());
        }
        String state = freeze.frozen() ? "done" : complete ? "done" : freeze.allowed() ? "todo" : "manual";
        String detail = freeze.frozen() ? "frozen by " + freeze.frozenBy() + " at " + freeze.frozenAt()
                : freeze.allowed() ? "pgferry runs the commands below (recording each previous value), then ends "
                        + "the roles' sessions"
                : "the assisted freeze is off (" + freeze.allowVariable() + "=true turns it on): stop the "
                        + "applications' writers, or run these commands as a superuser on the source";
        String rollback = freeze.frozen() ? "Unfreeze (below) restores exactly what the freeze changed, as recorded "
                + "on the source; by hand: " + String.join(" ", freeze.undoCommands())
                : "By hand: " + String.join(" ", freeze.undoCommands());
        return new Step("freeze", "Stop the writes on the source (freeze)", state, detail, notes,
                plan == null ? List.of() : plan.commands(), rollback, "freeze",
                freeze.allowed() && !freeze.frozen() && !complete && "run".equals(view.mode()));
    }

    private static Step verifyStep(List<DatabaseView> databases, Instant frozenAt, boolean complete) {
        boolean running = databases.stream().anyMatch(d -> d.verification() != null && d.verification().running());
        boolean equal = !databases.isEmpty() && databases.stream().allMatch(d -> d.verification() != null
                && d.verification().allEqual() && after(d.verification().requestedAt(), frozenAt));
        boolean differ = databases.stream().anyMatch(d -> d.verification() != null && !d.verification().running()
                && !d.verification().allEqual());
        String state = equal ? "done" : running ? "running" : differ ? "failed" : "todo";
        List<String> notes = databases.stream().filter(d -> d.verification() != null).map(d -> d.name() + ": "
                + (d.verification().running() ? "verifying " + d.verification().tables().size() + "/"
                        + d.verification().tablesTotal() + " tables"
                        : d.verification().allEqual() ? "rows and checksums equal"
                        : d.verification().tablesDiffering() + " table(s) differ"
                                + (d.verification().error() == null ? "" : " (" + d.verification().error() + ")")
                                + "; the database's page shows the first differing key range")).toList();
        return new Step("verify", "Verify rows and checksums of every table", state,
                "exact rows and a checksum per primary-key range of every table on both sides, once drained",
                notes, List.of(), "Read-only: nothing to undo. A difference means: do not switch; see the range.",
                "verify", !complete && !running);
    }

    private static Step reportStep(String id, String title, List<DatabaseView> databases,
            Predicate<DatabaseView> done, java.util.function.Function<DatabaseView, String> line, String rollback,
            boolean disabled) {
        boolean all = !databases.isEmpty() && databases.stream().allMatch(done);
        List<String> notes = databases.stream().map(line).filter(l -> l != null).toList();
        return new Step(id, title, all ? "done" : "todo", all ? "done for every database after the freeze"
                : "after the drain, so the values are final", notes, List.of(), rollback, id, !disabled);
    }

    private static FreezeView freeze(FreezeOutlook outlook) {
        FreezeState state = outlook.state();
        FreezePlan plan = outlook.plan();
        boolean frozen = state != null && state.frozen();
        return new FreezeView(outlook.allowed(), outlook.allowVariable(), frozen, frozen ? state.frozenAt() : null,
                frozen ? state.frozenBy() : null,
                frozen ? state.changes().stream().map(CutoverChecklist::describe).toList() : List.of(),
                plan == null ? List.of() : plan.roles().stream().map(r -> r.name() + " (" + String.join("; ", r.reasons())
                        + (r.sessions() > 0 ? "; " + r.sessions() + " session(s) to end" : "") + ")").toList(),
                plan == null ? List.of() : plan.leftAlone().stream().map(r -> r.name() + ": " + r.reason()).toList(),
                plan == null ? 0 : plan.sessionsToEnd(), plan == null ? List.of() : plan.warnings(), outlook.error(),
                frozen ? state.undoCommands() : plan == null ? List.of() : plan.undoCommands());
    }

    private static String describe(Entry entry) {
        return switch (entry.change().kind()) {
            case ROLE_LOGIN -> "role " + entry.change().target() + " set NOLOGIN (was LOGIN)";
            case DATABASE_READ_ONLY -> "database " + entry.change().target() + " default_transaction_read_only = on"
                    + " (was " + (entry.change().previous() == null ? "not set" : entry.change().previous()) + ")";
        };
    }

    private static List<ConnectionChange> connections(Mapping mapping, List<DatabaseView> databases) {
        return databases.stream().map(d -> new ConnectionChange(d.name(), url(mapping.source(), d.name()),
                url(mapping.destination(), d.name()), "jdbc:" + url(mapping.source(), d.name()),
                "jdbc:" + url(mapping.destination(), d.name()))).toList();
    }

    private static String url(Instance instance, String database) {
        String host = instance.host().contains(":") ? "[" + instance.host() + "]" : instance.host();
        return "postgresql://" + host + ":" + instance.port() + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static List<String> rolesNeedingPassword(List<DatabaseView> databases) {
        List<String> roles = databases.stream().filter(d -> d.roles() != null).flatMap(d -> d.roles().stream())
                .filter(r -> "needs-password".equals(r.state())).map(r -> r.role()).distinct().sorted().toList();
        return roles.isEmpty() ? List.of()
                : List.of("set a password on the destination for: " + String.join(", ", roles));
    }

    private static String firstBlocking(List<DatabaseView> databases) {
        return databases.stream().filter(d -> !d.cutoverReady()).findFirst()
                .map(d -> d.name() + " is " + d.phase() + ": " + d.reason()).orElse("no database observed yet");
    }

    private static boolean after(Instant at, Instant frozenAt) {
        return frozenAt == null || (at != null && !at.isBefore(frozenAt));
    }

    private static long count(List<DatabaseView> databases, Predicate<DatabaseView> test) {
        return databases.stream().filter(test).count();
    }
}
