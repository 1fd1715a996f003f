package dev.pgferry.reconcile;

import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedDatabase.Reverse;
import dev.pgferry.replication.PublishedTable;
import dev.pgferry.replication.ReplicationNames;
import dev.pgferry.status.Action;
import dev.pgferry.status.ActionFailure;
import dev.pgferry.status.Action.CreateReversePublication;
import dev.pgferry.status.Action.CreateReverseSlot;
import dev.pgferry.status.Action.CreateReverseSubscription;
import dev.pgferry.status.Action.DropInactiveSlot;
import dev.pgferry.status.Action.DropPublication;
import dev.pgferry.status.Action.DropReversePublication;
import dev.pgferry.status.Action.DropReverseSlot;
import dev.pgferry.status.Action.DropReverseSubscription;
import dev.pgferry.status.Action.DropSubscription;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.monitor.ExactCounter.TableName;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.status.Action.FinishRollback;
import dev.pgferry.status.Action.SetSourceSequences;
import dev.pgferry.status.Action.VerifyForRollback;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure: the steps of a database an operator turned around after the switch (a reversal recorded
 * on the destination), and its phase. In order: the reverse publication on the destination
 * (while the forward one still lists the tables), the forward subscription, publication and
 * slot dropped, then the reverse slot on the destination (only once nothing applies forward any
 * more, so that it never holds a change that came from the source) and the subscription in the
 * source database on it. Each step is planned only while its object is missing (or present), so
 * a pgferry stopped anywhere in between resumes from what the servers show.
 */
final class ReverseSteps {

    private ReverseSteps() {
    }

    static Plan plan(PlanInput in, ObservedDatabase o, ReplicationNames names) {
        Reverse reverse = o.reverse().orElseThrow();
        ReplicationNames back = ReplicationNames.reverse(in.mapping().name(), o.database());
        boolean sourceSeen = in.source().reachable() && o.sourceError() == null;
        boolean destinationSeen = in.destination().reachable() && o.destinationError() == null;
        Optional<ObservedInstance.Rollback> done = in.destination().rollback(in.mapping().name(), o.database())
                .filter(r -> r.rolledBackAt() != null);
        if (done.isPresent()) {
            List<Action> cleanup = cleanup(o, back, sourceSeen);
            return Plan.of(Phase.ROLLED_BACK, "rolled back at " + dev.pgferry.status.Times.utc(done.get().rolledBackAt()) + ": the applications "
                    + "go back to the source, which has every change made on the destination (verified)"
                    + (cleanup.isEmpty() ? "; the reverse direction is removed" : "; removing the reverse direction"),
                    cleanup);
        }
        if (!sourceSeen || !destinationSeen) {
            return Plan.of(Phase.SWITCHED, "turned around; the " + (sourceSeen ? "destination" : "source")
                    + " cannot be read now, so the reverse direction is not looked after (the destination's changes "
                    + "wait in its slot, if it was made): " + (sourceSeen ? o.destinationError() : o.sourceError()));
        }
        List<Action> steps = new ArrayList<>();
        if (!reverse.publicationExists()) {
            steps.add(new CreateReversePublication(back.publication(), o.replicatedTables().stream()
                    .map(t -> new PublishedTable(t.schema(), t.name())).toList()));
        }
        if (o.subscription().isPresent()) {
            steps.add(new DropSubscription(names.subscription()));
        }
        if (o.publicationExists()) {
            steps.add(new DropPublication(names.publication()));
        }
        if (o.slot().isPresent() && o.subscription().isEmpty()) {
            steps.add(new DropInactiveSlot(names.slot(), in.copyGeneration()));
        }
        if (reverse.slot().isEmpty()) {
            steps.add(new CreateReverseSlot(back.slot()));
        }
        if (reverse.subscription().isEmpty()) {
            steps.add(new CreateReverseSubscription(back.subscription(), back.publication(), back.slot()));
        }
        if (!steps.isEmpty()) {
            return afterBackOff(in, Plan.of(Phase.SWITCHED, "turning around: " + steps.getFirst().describe(), steps));
        }
        Optional<ObservedInstance.Rollback> rollback = in.destination().rollback(in.mapping().name(), o.database());
        if (rollback.isPresent()) {
            return afterBackOff(in, rollingBack(o, reverse, rollback.get()));
        }
        return streamingBack(in, o, reverse);
    }

    /** A step that failed is tried again after the same back-off as the forward steps, not on every tick. */
    private static Plan afterBackOff(PlanInput in, Plan plan) {
        if (in.lastFailure().isEmpty() || plan.actions().isEmpty()) {
            return plan;
        }
        ActionFailure failure = in.lastFailure().get();
        boolean waiting = in.now().isBefore(failure.at().plus(Planner.backoff(failure.attempts())));
        String reason = plan.reason() + "; " + failure.action() + " failed: " + failure.message()
                + (waiting ? " (trying again later)" : " (trying again now)");
        return new Plan(plan.phase(), reason, waiting ? List.of() : plan.actions(), plan.blockedBy());
    }

    /**
     * Rolling back, in order: drained back to the freeze point taken on the destination, the
     * source's sequences set, every table verified, then the source unfrozen and the rollback
     * recorded; each done step is recorded, so a restart goes on from the next.
     */
    private static Plan rollingBack(ObservedDatabase o, Reverse reverse, ObservedInstance.Rollback rollback) {
        long confirmed = reverse.slot().map(ObservedDatabase.Slot::confirmedFlush).orElse(0L);
        if (confirmed < rollback.drainLsn()) {
            return Plan.of(Phase.SWITCHED, "rolling back: waiting until the source has everything written on the "
                    + "destination before its freeze point " + rollback.drainLsnText() + " ("
                    + (rollback.drainLsn() - confirmed) + " bytes to go)");
        }
        if (rollback.sequencesAt() == null) {
            return Plan.of(Phase.SWITCHED, "rolling back: drained; setting the source's sequences",
                    List.of(new SetSourceSequences(o.database())));
        }
        if (rollback.verifiedAt() == null) {
            return Plan.of(Phase.SWITCHED, "rolling back: drained, sequences set; verifying every table",
                    List.of(new VerifyForRollback(o.database(), o.replicatedTables().stream()
                            .map(t -> new TableName(t.schema(), t.name())).toList())));
        }
        return Plan.of(Phase.SWITCHED, "rolling back: verified; unfreezing the source",
                List.of(new FinishRollback(o.database())));
    }

    private static Plan streamingBack(PlanInput in, ObservedDatabase o, Reverse reverse) {
        ObservedDatabase.Subscription subscription = reverse.subscription().orElseThrow();
        ObservedDatabase.Slot slot = reverse.slot().orElseThrow();
        if ("lost".equals(slot.walStatus())) {
            return Plan.of(Phase.FAILED, "[reverse-slot-lost] the reverse slot on the destination lost WAL the source "
                    + "still needed (max_slot_wal_keep_size exceeded): the source misses changes made on the "
                    + "destination; do not roll back to it. Complete the mapping to remove the reverse direction");
        }
        if (!subscription.enabled()) {
            return Plan.of(Phase.SWITCHED, "applications use the destination, but the reverse subscription in the "
                    + "source database is disabled: nothing flows back (see the source's log; ALTER SUBSCRIPTION ... "
                    + "ENABLE there once fixed)");
        }
        if (!subscription.applyWorkerRunning()) {
            return Plan.of(Phase.SWITCHED, "applications use the destination; the reverse subscription's worker is "
                    + "not running now (it restarts by itself; the source's log says why)");
        }
        return Plan.of(Phase.SWITCHED, "applications use the destination; its changes flow back to the source ("
                + slot.applyLagBytes() + " bytes behind)");
    }

    /**
     * The reverse direction's objects to remove when the mapping is complete: the subscription
     * in the source database (let go of its slot, so that the source alone can drop it), then the
     * slot and publication on the destination.
     */
    static List<Action> cleanup(ObservedDatabase o, ReplicationNames back, boolean sourceSeen) {
        if (o.reverse().isEmpty()) {
            return List.of();
        }
        Reverse reverse = o.reverse().get();
        List<Action> steps = new ArrayList<>();
        if (sourceSeen && reverse.subscription().isPresent()) {
            steps.add(new DropReverseSubscription(back.subscription()));
        }
        if (reverse.slot().isPresent()) {
            steps.add(new DropReverseSlot(back.slot()));
        }
        if (reverse.publicationExists()) {
            steps.add(new DropReversePublication(back.publication()));
        }
        return steps;
    }
}
