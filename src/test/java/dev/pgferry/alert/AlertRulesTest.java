package dev.pgferry.alert;

import dev.pgferry.status.Alert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Secret;
import dev.pgferry.status.Readiness;
import dev.pgferry.monitor.LagHistory.Sample;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.monitor.ObservedInstance;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which observations raise which alerts, with the history the status board keeps. */
class AlertRulesTest {

    private static final Instance SRC = new Instance("old", "h", 5432, "u", Secret.none(), "prefer", "postgres");
    private static final Instance DST = new Instance("new", "h", 5433, "u", Secret.none(), "prefer", "postgres");
    private static final Mapping SHOP = new Mapping("shop", SRC, DST, List.of("db"), Mode.RUN, CopyMethod.NATIVE);
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final long LIMIT = 16L << 20;

    @Test
    void aHealthyStreamingDatabaseHasNoAlert() {
        assertThat(alerts(database(slot("reserved", 0), subscription(true, true, 0)), List.of())).isEmpty();
    }

    @Test
    void unreachableInstancesAreCritical() {
        MappingStatus status = new MappingStatus(SHOP, ObservedInstance.unreachable("old", "old is unreachable: x"),
                ObservedInstance.unreachable("new", "new is unreachable: y"), List.of(), NOW);
        assertThat(AlertRules.evaluate(status, (m, d) -> List.of(), LIMIT, NOW))
                .extracting(Alert::kind, Alert::severity, Alert::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("instance.unreachable", Alert.Severity.CRITICAL,
                                "old is unreachable: x"),
                        org.assertj.core.groups.Tuple.tuple("instance.unreachable", Alert.Severity.CRITICAL,
                                "new is unreachable: y"));
    }

    @Test
    void aDisabledSubscriptionIsCriticalAndNamesTheCommand() {
        List<Alert> alerts = alerts(database(slot("reserved", 0), subscription(false, false, 0)), List.of());
        assertThat(alerts).extracting(Alert::kind).containsExactly("subscription.disabled");
        assertThat(alerts.getFirst().fix()).contains("ALTER SUBSCRIPTION pgferry_shop_db ENABLE");
    }

    @Test
    void anEnabledSubscriptionWithoutApplyWorkerIsAWarning() {
        assertThat(alerts(database(slot("reserved", 0), subscription(true, false, 0)), List.of()))
                .extracting(Alert::kind, Alert::severity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("apply.worker-down", Alert.Severity.WARNING));
    }

    @Test
    void newApplyErrorsWithinTheWindowAreCritical() {
        List<Sample> history = List.of(new Sample(NOW.minusSeconds(300), 0, 0, 2L),
                new Sample(NOW.minusSeconds(5), 0, 0, 5L));
        List<Alert> alerts = alerts(database(slot("reserved", 0), subscription(true, true, 5)), history);
        assertThat(alerts).extracting(Alert::kind).containsExactly("apply.errors");
        assertThat(alerts.getFirst().message()).startsWith("3 new apply/sync error(s)");
    }

    @Test
    void oldErrorsOutsideTheWindowRaiseNothing() {
        List<Sample> history = List.of(new Sample(NOW.minus(Duration.ofMinutes(30)), 0, 0, 2L),
                new Sample(NOW.minusSeconds(5), 0, 0, 5L));
        assertThat(alerts(database(slot("reserved", 0), subscription(true, true, 5)), history)).isEmpty();
    }

    @Test
    void walStatusOtherThanReservedIsShownAndLostSaysStartOver() {
        assertThat(alerts(database(slot("extended", 0), subscription(true, true, 0)), List.of()))
                .extracting(Alert::kind, Alert::severity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("slot.wal-status", Alert.Severity.WARNING));
        assertThat(alerts(database(slot("unreserved", 0), subscription(true, true, 0)), List.of()))
                .extracting(Alert::severity).containsExactly(Alert.Severity.CRITICAL);
        Alert lost = alerts(database(slot("lost", 0), subscription(true, true, 0)), List.of()).getFirst();
        assertThat(lost.fix()).contains("start this database over");
    }

    @Test
    void retainedWalGrowingInEverySampleAboveTheLimitIsAWarning() {
        List<Sample> growing = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            growing.add(new Sample(NOW.minusSeconds(300 - i * 60L), 0, LIMIT + i * 1_000_000L, 0L));
        }
        assertThat(alerts(database(slot("reserved", LIMIT + 5_000_000L), subscription(true, true, 0)), growing))
                .extracting(Alert::kind).containsExactly("wal.retained-growing");
    }

    @Test
    void retainedWalThatDipsOnceOrStaysSmallOrIsShortLivedIsNotATrend() {
        List<Sample> dipping = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            dipping.add(new Sample(NOW.minusSeconds(300 - i * 60L), 0, LIMIT + (i == 3 ? 0 : i * 1_000_000L), 0L));
        }
        assertThat(AlertRules.retainedGrowing(dipping, LIMIT)).isFalse();
        List<Sample> small = dipping.stream().map(s -> new Sample(s.at(), 0, s.retainedBytes() - LIMIT + 1, 0L))
                .toList();
        assertThat(AlertRules.retainedGrowing(small.subList(0, 3), LIMIT)).isFalse();
        List<Sample> quick = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            quick.add(new Sample(NOW.minusSeconds(10 - i), 0, LIMIT + i * 1_000_000L, 0L));
        }
        assertThat(AlertRules.retainedGrowing(quick, LIMIT)).as("six samples in five seconds").isFalse();
    }

    @Test
    void completedDatabasesRaiseNothing() {
        DatabaseStatus complete = new DatabaseStatus(observed(slot("lost", 0), subscription(false, false, 0)),
                List.of(), new Readiness(false, List.of()), new Plan(Phase.COMPLETE, "done", List.of()),
                Optional.empty());
        assertThat(alerts(complete, List.of())).isEmpty();
    }

    private static List<Alert> alerts(DatabaseStatus database, List<Sample> history) {
        ObservedInstance up = new ObservedInstance("old", null, null, Map.of(), Set.of(), Set.of());
        MappingStatus status = new MappingStatus(SHOP, up, up, List.of(database), NOW);
        return AlertRules.evaluate(status, (m, d) -> history, LIMIT, NOW);
    }

    private static DatabaseStatus database(ObservedDatabase.Slot slot, ObservedDatabase.Subscription subscription) {
        return new DatabaseStatus(observed(slot, subscription), List.of(), new Readiness(true, List.of()),
                new Plan(Phase.STREAMING, "streaming", List.of()), Optional.empty());
    }

    private static ObservedDatabase observed(ObservedDatabase.Slot slot, ObservedDatabase.Subscription subscription) {
        return new ObservedDatabase("db", NOW, null, null, true, true, 1, true, Optional.of(slot),
                Optional.of(subscription), List.of(), false, Optional.empty());
    }

    private static ObservedDatabase.Slot slot(String walStatus, long retained) {
        return new ObservedDatabase.Slot(true, walStatus, 0, retained);
    }

    private static ObservedDatabase.Subscription subscription(boolean enabled, boolean worker, long errors) {
        return new ObservedDatabase.Subscription(1, enabled, worker, errors, 0);
    }
}
