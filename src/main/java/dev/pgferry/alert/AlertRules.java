package dev.pgferry.alert;

import dev.pgferry.status.Alert;
import dev.pgferry.status.Alert.Severity;
import dev.pgferry.monitor.LagHistory.Sample;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedDatabase.Slot;
import dev.pgferry.monitor.ObservedDatabase.Subscription;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.replication.ReplicationNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The alerts of one mapping, from its last status and the recent history of each database
 * (pure: the same input gives the same alerts). Kinds: instance.unreachable,
 * subscription.disabled, apply.worker-down, apply.errors, slot.wal-status, wal.retained-growing.
 */
public final class AlertRules {

    /** How far back growth of retained WAL and of error counters is looked for. */
    static final Duration WINDOW = Duration.ofMinutes(10);
    /** Growth must show in at least this many samples, spread over at least this long, to be a trend. */
    static final int MIN_SAMPLES = 5;
    static final Duration MIN_SPAN = Duration.ofMinutes(2);

    private AlertRules() {
    }

    /**
     * @param history the last hour of samples of a database (mapping, database)
     * @param retainedLimit retained WAL above which steady growth is alarming (ready.max-lag-bytes)
     */
    public static List<Alert> evaluate(MappingStatus status, BiFunction<String, String, List<Sample>> history,
            long retainedLimit, Instant now) {
        String mapping = status.mapping().name();
        List<Alert> alerts = new ArrayList<>();
        if (status.source() != null && status.source().error() != null) {
            alerts.add(new Alert(Severity.CRITICAL, "instance.unreachable", mapping, null, status.source().error(),
                    "check the source's host, port, credentials and network; pgferry retries every tick"));
        }
        if (status.destination() != null && status.destination().error() != null) {
            alerts.add(new Alert(Severity.CRITICAL, "instance.unreachable", mapping, null,
                    status.destination().error(),
                    "check the destination's host, port, credentials and network; pgferry retries every tick"));
        }
        for (DatabaseStatus database : status.databases()) {
            if (database.phase() == Phase.COMPLETE) {
                continue;
            }
            List<Sample> recent = history.apply(mapping, database.database()).stream()
                    .filter(s -> !s.at().isBefore(now.minus(WINDOW))).toList();
            database(alerts, mapping, database.observed(), recent, retainedLimit);
        }
        return List.copyOf(alerts);
    }

    private static void database(List<Alert> alerts, String mapping, ObservedDatabase o, List<Sample> recent,
            long retainedLimit) {
        String db = o.database();
        String name = ReplicationNames.of(mapping, db).subscription();
        Subscription subscription = o.subscription().orElse(null);
        if (subscription != null && !subscription.enabled()) {
            alerts.add(new Alert(Severity.CRITICAL, "subscription.disabled", mapping, db,
                    "subscription " + name + " is disabled: no changes are applied and the source keeps its WAL",
                    "find the cause in the destination's log, then ALTER SUBSCRIPTION " + name + " ENABLE"));
        } else if (subscription != null && !subscription.applyWorkerRunning()) {
            alerts.add(new Alert(Severity.WARNING, "apply.worker-down", mapping, db,
                    "no apply worker runs for subscription " + name + " (it restarts after an error)",
                    "look for 'logical replication' errors in the destination's log; a conflicting row or a "
                            + "missing column stops the worker until it is fixed"));
        }
        long errorGrowth = growth(recent, Sample::errors);
        if (subscription != null && errorGrowth > 0) {
            alerts.add(new Alert(Severity.CRITICAL, "apply.errors", mapping, db,
                    errorGrowth + " new apply/sync error(s) in the last " + WINDOW.toMinutes() + " minutes (now "
                            + subscription.applyErrors() + " apply, " + subscription.syncErrors()
                            + " sync since the statistics were reset)",
                    "the destination's log has each error's message (search 'logical replication'); fix the "
                            + "row or schema it names"));
        }
        Slot slot = o.slot().orElse(null);
        if (slot != null && slot.walStatus() != null && !"reserved".equals(slot.walStatus())) {
            boolean lost = "lost".equals(slot.walStatus()) || "unreserved".equals(slot.walStatus());
            alerts.add(new Alert(lost ? Severity.CRITICAL : Severity.WARNING, "slot.wal-status", mapping, db,
                    "slot " + ReplicationNames.of(mapping, db).slot() + " has wal_status '" + slot.walStatus() + "'"
                            + switch (slot.walStatus()) {
                                case "extended" -> ": it holds more WAL than max_wal_size";
                                case "unreserved" -> ": its WAL will be removed at the next checkpoint";
                                case "lost" -> ": WAL it needs is gone; this database cannot catch up";
                                default -> "";
                            },
                    "lost".equals(slot.walStatus())
                            ? "start this database over (docs/operations.md, 'A slot lost its WAL')"
                            : "let the subscriber catch up (is it enabled and applying?), or raise "
                                    + "max_slot_wal_keep_size on the source"));
        }
        if (slot != null && retainedGrowing(recent, retainedLimit)) {
            alerts.add(new Alert(Severity.WARNING, "wal.retained-growing", mapping, db,
                    "WAL retained by the slot grew in every sample of the last " + Duration.between(
                            recent.getFirst().at(), recent.getLast().at()).toMinutes() + " minute(s), to "
                            + recent.getLast().retainedBytes() + " bytes",
                    "the subscriber is not keeping up or not confirming: check the apply worker and the "
                            + "destination's load; the source's disk fills while this lasts"));
        }
    }

    /** Steady growth: every sample above the one before, over a long enough span, and above the limit. */
    static boolean retainedGrowing(List<Sample> recent, long limit) {
        if (recent.size() < MIN_SAMPLES
                || Duration.between(recent.getFirst().at(), recent.getLast().at()).compareTo(MIN_SPAN) < 0) {
            return false;
        }
        for (int i = 1; i < recent.size(); i++) {
            if (recent.get(i).retainedBytes() <= recent.get(i - 1).retainedBytes()) {
                return false;
            }
        }
        return recent.getLast().retainedBytes() > limit;
    }

    private static long growth(List<Sample> recent, java.util.function.Function<Sample, Long> counter) {
        List<Long> values = recent.stream().map(counter).filter(Objects::nonNull).toList();
        return values.size() < 2 ? 0 : Math.max(0, values.getLast() - values.getFirst());
    }
}
