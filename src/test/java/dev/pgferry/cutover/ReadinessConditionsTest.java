package dev.pgferry.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.PgferryConfig;
import dev.pgferry.status.Readiness.Condition;
import dev.pgferry.monitor.ObservedDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The "connected" condition needs both ends: a running apply worker and the source's slot active. */
class ReadinessConditionsTest {

    private static final PgferryConfig.ReadinessThresholds THRESHOLDS = new PgferryConfig.ReadinessThresholds(1024, Duration.ofSeconds(30));

    private static ObservedDatabase streaming(boolean slotActive, boolean workerRunning) {
        return new ObservedDatabase("shop", Instant.now(), null, null, true, true, 1, true,
                Optional.of(new ObservedDatabase.Slot(slotActive, "reserved", 0, 4096)),
                Optional.of(new ObservedDatabase.Subscription(7, true, workerRunning, 0, 0)),
                List.of(new ObservedDatabase.Table("public", "orders", false, true, "r", 10L, 10L)), false,
                Optional.empty());
    }

    private static Condition connected(ObservedDatabase o) {
        return ReadinessConditions.evaluate(o, THRESHOLDS).stream().filter(c -> c.id().equals("subscription-connected"))
                .findFirst().orElseThrow();
    }

    @Test
    void aWorkerThatRunsButIsNotConnectedToTheSourceIsNotConnected() {
        assertThat(connected(streaming(true, true)).met()).isTrue();
        Condition retrying = connected(streaming(false, true));
        assertThat(retrying.met()).isFalse();
        assertThat(retrying.detail()).contains("not connected to the source");
        assertThat(connected(streaming(true, false)).detail()).isEqualTo("apply worker not running");
    }

    @Test
    void beforeTheSubscriptionEachConditionSaysItsOwnThingInTheOrderAnOperatorActsOnThem() {
        ObservedDatabase copying = new ObservedDatabase("shop", Instant.now(), null, null, true, true, 1, true,
                Optional.empty(), Optional.empty(),
                List.of(new ObservedDatabase.Table("public", "orders", false, true, null, 10L, 0L)), false,
                Optional.empty());
        List<Condition> conditions = ReadinessConditions.evaluate(copying, THRESHOLDS);
        assertThat(conditions).extracting(Condition::id).containsExactly("subscription-connected",
                "tables-synchronized", "lag-below-threshold", "lag-time-below-threshold");
        assertThat(conditions).extracting(Condition::detail).doesNotHaveDuplicates()
                .filteredOn(d -> d.contains("no subscription yet")).hasSize(1);
    }
}
