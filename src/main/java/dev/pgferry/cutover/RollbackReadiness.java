package dev.pgferry.cutover;

import dev.pgferry.config.PgferryConfig;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedDatabase.Reverse;
import dev.pgferry.status.Readiness;
import dev.pgferry.status.Readiness.Condition;
import java.util.List;

/**
 * Pure: the rollback-ready light of a database turned around (SWITCHED): the destination's
 * changes reach the source, so going back loses nothing. Its conditions: the reverse
 * subscription streams (enabled, its worker running, the slot on the destination in use), the
 * source is at most the cutover threshold's bytes behind, and the reverse subscription has had no
 * apply error (counted since it was made).
 */
public final class RollbackReadiness {

    private RollbackReadiness() {
    }

    public static Readiness evaluate(ObservedDatabase o, PgferryConfig.ReadinessThresholds thresholds) {
        Reverse reverse = o.reverse().orElse(null);
        if (reverse == null || reverse.subscription().isEmpty() || reverse.slot().isEmpty()) {
            return new Readiness(false, List.of(new Condition("reverse-streaming", false,
                    "the reverse direction is being set up")));
        }
        ObservedDatabase.Subscription subscription = reverse.subscription().get();
        ObservedDatabase.Slot slot = reverse.slot().get();
        boolean streaming = reverse.streaming() && slot.active();
        List<Condition> conditions = List.of(
                new Condition("reverse-streaming", streaming, streaming
                        ? "the reverse subscription in the source database streams from the destination"
                        : !subscription.enabled() ? "the reverse subscription is disabled"
                        : "the reverse subscription is not connected to the destination now"),
                new Condition("reverse-lag", slot.applyLagBytes() <= thresholds.maxLagBytes(), "the source is "
                        + slot.applyLagBytes() + " bytes behind the destination (at most " + thresholds.maxLagBytes()
                        + ")"),
                new Condition("reverse-no-errors", subscription.applyErrors() == 0, subscription.applyErrors() == 0
                        ? "no apply error on the source" : subscription.applyErrors() + " apply error(s) on the "
                                + "source since the reverse subscription was made (the source's log says which)"));
        return new Readiness(conditions.stream().allMatch(Condition::met), conditions);
    }
}
