package dev.pgferry.reconcile;

import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.Action;
import dev.pgferry.status.ActionFailure;
import dev.pgferry.config.Mode;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedDatabase.Table;
import dev.pgferry.preflight.Check;
import dev.pgferry.status.Action.ApplySchemaChanges;
import dev.pgferry.status.Action.InstallDdlCapture;
import dev.pgferry.status.Action.RemoveDdlCapture;
import dev.pgferry.status.Action.DetachSubscription;
import dev.pgferry.status.Action.DropInactiveSlot;
import dev.pgferry.status.Action.DropPublication;
import dev.pgferry.status.Action.DropSubscription;
import dev.pgferry.status.Action.UpdateSubscriptionConnection;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.replication.ReplicationSql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import dev.pgferry.monitor.ObservedInstance.CopyRecord;
import dev.pgferry.monitor.SourceFacts;

/**
 * Pure: desired configuration + observed state -> phase and next actions. No I/O, no clock of
 * its own; tested phase by phase.
 *
 * <p>The order of the native method is publication, database, schema, subscription. The
 * publication comes first because it is the evidence, after a restart, that a non-empty
 * destination database holds the schema pgferry restored there (and not somebody else's data).
 */
public final class Planner {

    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Set<String> COPYING_STATES = Set.of("i", "d");
    private static final Set<String> CATCHING_UP_STATES = Set.of("f", "s");
    private static final Set<String> REACHABILITY = Set.of("source.reachable", "destination.reachable");

    private Planner() {
    }

    public static Plan plan(PlanInput in) {
        ObservedDatabase o = in.observed();
        ReplicationNames names = ReplicationNames.of(in.mapping().name(), o.database());
        if (o.completionRecorded()) {
            Plan complete = complete(o, names, ReplicationNames.reverse(in.mapping().name(), o.database()),
                    in.source().reachable() && o.sourceError() == null, in.copyGeneration());
            return withoutDdlCapture(in, o, complete);
        }
        if (o.reverse().isPresent()) {
            return withoutDdlCapture(in, o, ReverseSteps.plan(in, o, names));
        }
        // without both servers nothing can be judged, whatever the phase was
        List<Check> unreachable = in.checks().stream().filter(Check::blocks)
                .filter(c -> REACHABILITY.contains(c.id())).toList();
        if (!unreachable.isEmpty()) {
            return blocked(unreachable, List.of());
        }
        if (o.subscription().isPresent()) {
            return withCurrentConnection(in, withSchemaChanges(in, streaming(in, o)), o, names);
        }
        if (in.copying()) {
            // the snapshot copy runs in the background; it subscribes when it is done
            return Plan.of(Phase.COPYING, in.copy().orElseThrow().describe());
        }
        return create(in, o, names);
    }

    private static Plan complete(ObservedDatabase o, ReplicationNames names, ReplicationNames back, boolean sourceSeen,
            long generation) {
        List<Action> cleanup = new ArrayList<>();
        if (!sourceSeen) {
            // the slot and publication cannot be dropped now: free the destination, say what is left
            if (o.subscription().isPresent()) {
                cleanup.add(new DetachSubscription(names.subscription()));
            }
            cleanup.addAll(ReverseSteps.cleanup(o, back, false));
            return Plan.of(Phase.COMPLETE, "marked complete; the source is unreachable, so its slot and publication "
                    + "may remain: pgferry drops them when it sees the source again, or run on the source, "
                    + ReplicationSql.sourceCleanup(o.database(), names.slot(), names.publication()), cleanup);
        }
        if (o.subscription().isPresent()) {
            cleanup.add(new DropSubscription(names.subscription()));
        }
        if (o.publicationExists()) {
            cleanup.add(new DropPublication(names.publication()));
        }
        if (o.slot().isPresent() && o.subscription().isEmpty()) {
            cleanup.add(new DropInactiveSlot(names.slot(), generation));
        }
        cleanup.addAll(ReverseSteps.cleanup(o, back, true));
        return Plan.of(Phase.COMPLETE, cleanup.isEmpty() ? "marked complete; replication objects removed"
                : "marked complete; removing replication objects", cleanup);
    }

    /**
     * A subscription whose connection is no longer what the configuration says (a rotated
     * password, a new replication address) gets the current one before its next reconnect needs
     * it. A password from a command is a token that changes at every run (IAM): an apply worker
     * that is connected keeps its session, so the subscription gets a fresh token only when its
     * worker is not running (it failed to log in), not every few minutes.
     */
    private static Plan withCurrentConnection(PlanInput in, Plan plan, ObservedDatabase o, ReplicationNames names) {
        ObservedDatabase.Subscription subscription = o.subscription().get();
        boolean tokens = in.mapping().source().password().isCommand();
        if (plan.phase() == Phase.FAILED || subscription.connectionCurrent()
                || tokens && subscription.applyWorkerRunning()) {
            return plan;
        }
        List<Action> actions = new ArrayList<>(plan.actions());
        actions.add(new UpdateSubscriptionConnection(names.subscription()));
        return new Plan(plan.phase(), plan.reason(), actions, plan.blockedBy());
    }

    /**
     * Schema changes found while streaming: those due are carried over (see schemachange), and
     * while the apply worker keeps failing on a column the destination lacks, the database says
     * so rather than only "lag".
     */
    private static Plan withSchemaChanges(PlanInput in, Plan plan) {
        if (plan.phase() == Phase.FAILED || copyFinishing(in)) {
            return plan;
        }
        plan = withDdlCapture(in, plan);
        String reason = plan.reason();
        if (in.schema().waitingFor() != null && plan.phase() != Phase.READY) {
            reason = "streaming; waiting for the schema change to reach the destination: " + in.schema().waitingFor()
                    + ". The apply worker retries from the same position: no row is lost";
        }
        if (!in.schema().anythingDue()) {
            return new Plan(plan.phase(), reason, plan.actions(), plan.blockedBy());
        }
        List<Action> actions = new ArrayList<>(plan.actions());
        actions.add(new ApplySchemaChanges(in.schema().due().stream().map(c -> c.id()).toList(),
                in.schema().unpublished(), in.schema().refresh(),
                in.schema().due().stream().map(c -> c.what() + " " + c.object()).toList()));
        return new Plan(plan.phase(), reason, actions, plan.blockedBy());
    }

    /**
     * A snapshot copy that still owes the rest of its schema (a resume restores it once every
     * table is synchronized): what the destination lacks until then is the copy's to restore, not
     * a schema change to carry over.
     */
    private static boolean copyFinishing(PlanInput in) {
        return in.destination().copy(in.mapping().name(), in.observed().database()).map(r -> !r.restRestored())
                .orElse(false);
    }

    /**
     * DDL_CAPTURE: the capture is installed once the database streams (by a source user that is a
     * superuser: pre-flight warns otherwise), and removed when the setting is turned off.
     */
    private static Plan withDdlCapture(PlanInput in, Plan plan) {
        ObservedDatabase o = in.observed();
        String name = ReplicationNames.ddlCapture(in.mapping().name(), o.database()).name();
        boolean wanted = in.mapping().schemaChanges().ddlCapture();
        boolean superuser = in.source().facts() != null && in.source().facts().user().superuser();
        List<Action> actions = new ArrayList<>(plan.actions());
        if (wanted && !o.ddlCaptureInstalled() && superuser) {
            actions.add(new InstallDdlCapture(name));
        } else if (!wanted && o.ddlCaptureInstalled()) {
            actions.add(new RemoveDdlCapture(name));
        }
        return new Plan(plan.phase(), plan.reason(), actions, plan.blockedBy());
    }

    /** A completed, turned-around or rolled-back database keeps no DDL capture on its source. */
    private static Plan withoutDdlCapture(PlanInput in, ObservedDatabase o, Plan plan) {
        if (!o.ddlCaptureInstalled() || !in.source().reachable() || o.sourceError() != null) {
            return plan;
        }
        List<Action> actions = new ArrayList<>(plan.actions());
        actions.add(new RemoveDdlCapture(ReplicationNames.ddlCapture(in.mapping().name(), o.database()).name()));
        return new Plan(plan.phase(), plan.reason(), actions, plan.blockedBy());
    }

    private static Plan streaming(PlanInput in, ObservedDatabase o) {
        if (o.slot().isEmpty()) {
            return Plan.of(Phase.FAILED, "[slot-gone] the subscription exists but its replication slot is gone from "
                    + "the source; changes since then are lost to it: start this database over (the database's page, "
                    + "or POST /api/mappings/{name}/database/start-over)");
        }
        if ("lost".equals(o.slot().get().walStatus())) {
            return Plan.of(Phase.FAILED, "[slot-lost] the replication slot lost WAL it still needed "
                    + "(max_slot_wal_keep_size exceeded): start this database over (the database's page, or POST "
                    + "/api/mappings/{name}/database/start-over), after raising max_slot_wal_keep_size on the source");
        }
        if (!o.publicationExists()) {
            return Plan.of(Phase.FAILED, "[publication-gone] the publication was dropped on the source while the "
                    + "subscription exists: start this database over (the database's page, or POST "
                    + "/api/mappings/{name}/database/start-over)");
        }
        if (in.copying()) {
            // a resume of the snapshot copy runs in the background (it subscribes on its way)
            return Plan.of(Phase.COPYING, in.copy().orElseThrow().describe());
        }
        Optional<CopyRecord> resumed = in.destination().copy(in.mapping().name(), o.database())
                .filter(r -> r.resumedAt() != null || !r.restRestored());
        String note = resumed.filter(r -> r.resumedAt() != null).map(r -> "; resumed: " + r.kept() + " of "
                + (r.kept() + r.synced()) + " tables kept, " + r.synced() + " copied by table synchronization")
                .orElse("");
        List<String> states = o.tables().stream().map(Table::syncState).filter(s -> s != null).toList();
        if (states.stream().anyMatch(COPYING_STATES::contains)) {
            long copying = states.stream().filter(COPYING_STATES::contains).count();
            return Plan.of(Phase.COPYING, copying + " of " + states.size() + " tables in initial copy" + note);
        }
        if (states.stream().anyMatch(CATCHING_UP_STATES::contains)) {
            return Plan.of(Phase.CATCHING_UP, "tables copied, catching up with changes made during the copy" + note);
        }
        if (resumed.isPresent() && !resumed.get().restRestored()) {
            return finishResumedCopy(in, o, resumed.get(), note);
        }
        if (in.readiness().ready()) {
            return Plan.of(Phase.READY, "every cutover-ready condition holds");
        }
        return Plan.of(Phase.STREAMING, "streaming; not cutover-ready: " + in.readiness().blockingReason());
    }

    /**
     * A resumed copy whose tables are all synchronized: the resume runs once more, takes up any
     * table a stop left out of the publication, and restores the rest of the schema (foreign
     * keys, triggers, ...). Not cutover-ready before: the schema is incomplete.
     */
    private static Plan finishResumedCopy(PlanInput in, ObservedDatabase o, CopyRecord record, String note) {
        SourceFacts facts = o.sourceFacts().orElse(null);
        String reason = "streaming; the resumed copy is finishing: every table synchronized, the rest of the schema "
                + "(foreign keys, triggers, ...) to restore" + note;
        if (facts == null) {
            return Plan.of(Phase.CATCHING_UP, reason);
        }
        if (in.lastFailure().isPresent()) {
            ActionFailure failure = in.lastFailure().get();
            if (in.now().isBefore(failure.at().plus(backoff(failure.attempts())))) {
                return Plan.of(Phase.FAILED, "[action-failed] " + failure.action() + " failed: " + failure.message()
                        + " (trying again later)");
            }
        }
        return Plan.of(Phase.CATCHING_UP, reason, List.of(CreationSteps.resume(in, o,
                ReplicationNames.of(in.mapping().name(), o.database()), facts, record)));
    }

    private static Plan create(PlanInput in, ObservedDatabase o, ReplicationNames names) {
        List<Action> steps = CreationSteps.of(in, o, names);
        List<Check> blocking = in.checks().stream().filter(Check::blocks).toList();
        if (!blocking.isEmpty()) {
            // pre-flight failed: nothing is written; the steps show what would follow once fixed
            return blocked(blocking, steps);
        }
        boolean untouched = !o.publicationExists() && o.slot().isEmpty();
        if (in.mode() == Mode.PLAN) {
            return Plan.of(untouched ? Phase.PLANNED : Phase.SCHEMA,
                    "mode plan: run mode would take the " + steps.size() + " step(s) below", steps);
        }
        if (in.lastFailure().isPresent()) {
            ActionFailure failure = in.lastFailure().get();
            boolean waiting = in.now().isBefore(failure.at().plus(backoff(failure.attempts())));
            return Plan.of(Phase.FAILED, "[action-failed] " + failure.action() + " failed: " + failure.message()
                    + (waiting ? " (trying again later)" : " (trying again now)"), waiting ? List.of() : steps);
        }
        return Plan.of(Phase.SCHEMA, "preparing: " + steps.getFirst().describe(), steps);
    }

    private static Plan blocked(List<Check> blocking, List<Action> steps) {
        Check first = blocking.getFirst();
        String reason = "blocked by " + first.id() + ": " + first.message() + ". " + first.fix()
                + (blocking.size() > 1 ? " (" + (blocking.size() - 1) + " more block(s) below)" : "");
        return new Plan(Phase.BLOCKED, reason, steps, blocking.stream().map(Check::id).toList());
    }

    /** Doubles with every failed attempt, from one poll interval up to five minutes. */
    static Duration backoff(int attempts) {
        Duration base = Duration.ofSeconds(5);
        Duration wait = base.multipliedBy(1L << Math.min(attempts - 1, 10));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }
}
