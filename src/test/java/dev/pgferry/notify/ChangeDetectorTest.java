package dev.pgferry.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Secret;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.status.Alert;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.Readiness;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One notification per change, none per unchanged tick; the first status is where it starts. */
class ChangeDetectorTest {

    private static final Instance SRC = new Instance("old", "10.0.0.1", 5432, "u", Secret.of("s"), "prefer",
            "postgres");
    private static final Instance DST = new Instance("new", "10.0.0.2", 5432, "u", Secret.of("s"), "prefer",
            "postgres");
    private static final Mapping SHOP = new Mapping("shop", SRC, DST, List.of(), Mode.RUN, CopyMethod.NATIVE);
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    private final ChangeDetector detector = new ChangeDetector();

    private static DatabaseStatus database(String name, Phase phase, String reason) {
        return new DatabaseStatus(ObservedDatabase.unobserved(name, T0), List.of(),
                new Readiness(phase == Phase.READY, List.of()), Plan.of(phase, reason), Optional.empty());
    }

    private static MappingStatus status(List<Alert> alerts, DatabaseStatus... databases) {
        return new MappingStatus(SHOP, null, null, List.of(databases), T0, alerts, null);
    }

    private List<Notification> next(int second, DatabaseStatus... databases) {
        return detector.next(status(List.of(), databases), T0.plusSeconds(second));
    }

    @Test
    void theFirstLookIsTheStartingPointAndAnUnchangedTickTellsNothing() {
        assertThat(next(0, database("a", Phase.COPYING, "copying"), database("b", Phase.FAILED, "[x] broke")))
                .isEmpty();
        assertThat(next(5, database("a", Phase.COPYING, "copying 40%"), database("b", Phase.FAILED, "[x] broke")))
                .isEmpty();
    }

    @Test
    void eachPhaseChangeIsToldOnceWithItsReason() {
        next(0, database("a", Phase.COPYING, "copying"));
        List<Notification> told = next(5, database("a", Phase.STREAMING, "streaming; lag 3 s"));
        assertThat(told).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo("phase");
            assertThat(n.title()).isEqualTo("shop/a: COPYING → STREAMING");
            assertThat(n.text()).isEqualTo("streaming; lag 3 s");
            assertThat(n.facts()).containsEntry("phase", "STREAMING").containsEntry("previousPhase", "COPYING");
            assertThat(n.at()).isEqualTo(T0.plusSeconds(5));
        });
        assertThat(next(10, database("a", Phase.STREAMING, "streaming; lag 1 s"))).isEmpty();
    }

    @Test
    void aDatabaseNotLookedAtThisTickKeepsItsPhase() {
        next(0, database("a", Phase.STREAMING, "streaming"));
        assertThat(next(5, database("a", Phase.LOOKING, "not looked at yet"))).isEmpty();
        assertThat(next(10, database("a", Phase.STREAMING, "streaming"))).isEmpty();
    }

    @Test
    void aFailureIsToldOnceThoughItsRetriesComeAndGo() {
        next(0, database("a", Phase.SCHEMA, "preparing"));
        assertThat(next(5, database("a", Phase.FAILED, "[action-failed] x failed: no (trying again later)")))
                .singleElement().satisfies(n -> {
                    assertThat(n.event()).isEqualTo("failure");
                    assertThat(n.title()).isEqualTo("shop/a FAILED");
                });
        assertThat(next(10, database("a", Phase.FAILED, "[action-failed] x failed: no (trying again now)")))
                .as("the retry's timing is not a new failure").isEmpty();
        assertThat(next(15, database("a", Phase.SCHEMA, "preparing"))).singleElement()
                .satisfies(n -> assertThat(n.title()).isEqualTo("shop/a: FAILED → SCHEMA"));
        assertThat(next(20, database("a", Phase.FAILED, "[action-failed] x failed: no (trying again later)")))
                .as("the same failure again within the hour").isEmpty();
        assertThat(next(25, database("a", Phase.FAILED, "[slot-lost] the slot lost WAL")))
                .as("another failure").singleElement().satisfies(n -> assertThat(n.event()).isEqualTo("failure"));
        assertThat(detector.next(status(List.of(), database("a", Phase.FAILED, "[action-failed] x failed: no")),
                T0.plus(ChangeDetector.SAME_FAILURE_QUIET).plusSeconds(60))).as("told again after the quiet hour")
                .hasSize(1);
    }

    @Test
    void theCutoverReadyLightIsToldWhenItTurnsOnAndOff() {
        next(0, database("a", Phase.STREAMING, "streaming"), database("b", Phase.READY, "ready"));
        List<Notification> on = next(5, database("a", Phase.READY, "ready"), database("b", Phase.READY, "ready"));
        assertThat(on).extracting(Notification::event).containsExactly("phase", "ready");
        assertThat(on.get(1).title()).isEqualTo("shop is cutover-ready");
        assertThat(on.get(1).database()).isNull();
        List<Notification> off = next(10, database("a", Phase.STREAMING, "streaming; lag 20 MB"),
                database("b", Phase.READY, "ready"));
        assertThat(off).extracting(Notification::title).containsExactly("shop/a: READY → STREAMING",
                "shop is no longer cutover-ready");
        assertThat(off.get(1).text()).contains("a: STREAMING (streaming; lag 20 MB)");
    }

    @Test
    void aCompletedMappingIsNotToldAsNoLongerReady() {
        next(0, database("a", Phase.READY, "ready"));
        assertThat(next(5, database("a", Phase.COMPLETE, "marked complete"))).singleElement()
                .satisfies(n -> assertThat(n.title()).isEqualTo("shop/a: READY → COMPLETE"));
    }

    @Test
    void anAlertIsToldWhenRaisedAndWhenCleared() {
        DatabaseStatus a = database("a", Phase.STREAMING, "streaming");
        Alert lag = new Alert(Alert.Severity.WARNING, "lag-high", "shop", "a", "apply lag 2 GB", "look at the apply");
        detector.next(status(List.of(), a), T0);
        assertThat(detector.next(status(List.of(lag), a), T0.plusSeconds(5))).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo("alert");
            assertThat(n.title()).isEqualTo("shop/a: lag-high raised");
            assertThat(n.text()).isEqualTo("apply lag 2 GB Fix: look at the apply");
            assertThat(n.facts()).containsEntry("state", "raised").containsEntry("severity", "WARNING");
        });
        assertThat(detector.next(status(List.of(lag), a), T0.plusSeconds(10))).isEmpty();
        assertThat(detector.next(status(List.of(), a), T0.plusSeconds(15))).singleElement()
                .satisfies(n -> assertThat(n.title()).isEqualTo("shop/a: lag-high cleared"));
    }

    @Test
    void aNewDatabaseIsToldInItsFirstPhase() {
        next(0, database("a", Phase.STREAMING, "streaming"));
        assertThat(next(5, database("a", Phase.STREAMING, "streaming"), database("b", Phase.SCHEMA, "preparing")))
                .singleElement().satisfies(n -> assertThat(n.title()).isEqualTo("shop/b: now SCHEMA"));
    }
}
