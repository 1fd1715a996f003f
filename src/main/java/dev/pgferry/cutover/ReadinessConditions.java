package dev.pgferry.cutover;

import dev.pgferry.config.PgferryConfig;
import dev.pgferry.status.Readiness.Condition;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedDatabase.Table;
import java.util.ArrayList;
import java.util.List;

/** Pure: which of the instantaneous cutover-ready conditions hold in one observation. */
public final class ReadinessConditions {

    private ReadinessConditions() {
    }

    /** In the order an operator acts on them: connected, synchronized, then the lag in bytes and in time. */
    public static List<Condition> evaluate(ObservedDatabase o, PgferryConfig.ReadinessThresholds thresholds) {
        List<Condition> conditions = new ArrayList<>();
        // tables left out of the publication (unlogged, or excluded by the operator) do not count
        List<Table> published = o.tables().stream().filter(Table::published).toList();
        long notReady = published.stream().filter(t -> !"r".equals(t.syncState())).count();
        // connected at both ends: an apply worker that runs may still be retrying its connection to
        // the source (after a source restart); the slot is active only once its walsender streams
        boolean working = o.subscription().map(s -> s.enabled() && s.applyWorkerRunning()).orElse(false);
        boolean streaming = o.slot().map(ObservedDatabase.Slot::active).orElse(false);
        boolean connected = working && streaming;
        conditions.add(new Condition("subscription-connected", connected,
                connected ? "subscription enabled, apply worker running, slot active on the source"
                        : working ? "apply worker running but not connected to the source yet (slot not active)"
                        : o.subscription().map(s -> s.enabled() ? "apply worker not running"
                                : "subscription disabled").orElse("no subscription yet")));
        // each condition says its own thing: before the subscription, "no subscription yet" once
        conditions.add(new Condition("tables-synchronized", o.subscription().isPresent() && notReady == 0,
                o.subscription().isEmpty() ? "tables not synchronized yet (the initial copy comes first)"
                        : notReady == 0 ? "all " + published.size() + " published tables synchronized (state r)"
                                : notReady + " of " + published.size() + " published tables not synchronized yet: "
                                        + firstNotReady(published)));
        boolean lagOk = o.slot().map(s -> s.applyLagBytes() <= thresholds.maxLagBytes()).orElse(false);
        conditions.add(new Condition("lag-below-threshold", lagOk, o.slot()
                .map(s -> "apply lag " + s.applyLagBytes() + " bytes (limit " + thresholds.maxLagBytes() + ")")
                .orElse("apply lag in bytes: no replication slot yet")));
        // replay_lag is NULL while the link is idle, which means caught up
        double maxSeconds = thresholds.maxLagTime().toMillis() / 1000.0;
        boolean timeOk = o.slot().map(s -> s.lagSeconds() == null || s.lagSeconds() <= maxSeconds).orElse(false);
        conditions.add(new Condition("lag-time-below-threshold", timeOk, o.slot()
                .map(s -> s.lagSeconds() == null ? "no lag in time reported (idle link)"
                        : String.format(java.util.Locale.ROOT, "apply lag %.3f s (limit %.0f s)", s.lagSeconds(),
                                maxSeconds))
                .orElse("apply lag in time: no replication slot yet")));
        return conditions;
    }

    private static String firstNotReady(List<Table> tables) {
        return tables.stream().filter(t -> !"r".equals(t.syncState())).findFirst()
                .map(t -> t.schema() + "." + t.name() + " (" + (t.syncState() == null ? "not subscribed" : t.syncState())
                        + ")")
                .orElse("");
    }
}
