package dev.pgferry.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.config.CopyMethod;
import dev.pgferry.config.Instance;
import dev.pgferry.config.Mapping;
import dev.pgferry.config.Mode;
import dev.pgferry.config.Secret;
import dev.pgferry.monitor.ObservedDatabase;
import dev.pgferry.testing.MovableClock;
import dev.pgferry.status.DatabaseStatus;
import dev.pgferry.status.MappingStatus;
import dev.pgferry.status.Phase;
import dev.pgferry.status.Plan;
import dev.pgferry.status.Readiness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The overview's trends: the copy's progress and time left from the recent rate, the lag's sparkline. */
class MappingTrendsTest {

    private static final Instance SRC = new Instance("old", "10.0.0.1", 5432, "u", Secret.of("s"), "prefer",
            "postgres");
    private static final Instance DST = new Instance("new", "10.0.0.2", 5432, "u", Secret.of("s"), "prefer",
            "postgres");
    private static final Mapping SHOP = new Mapping("shop", SRC, DST, List.of(), Mode.RUN, CopyMethod.NATIVE);

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final MappingTrends trends = new MappingTrends(null, clock);

    /** One database: a table of 1000 bytes copied up to {@code done} (natively), a second one synchronized. */
    private static DatabaseStatus database(long done, long lag) {
        ObservedDatabase observed = new ObservedDatabase("a", Instant.now(), null, null, true, true, 1, true,
                Optional.of(new ObservedDatabase.Slot(true, "reserved", lag, 4096)),
                Optional.of(new ObservedDatabase.Subscription(7, true, true, 0, 0, true, null)),
                List.of(new ObservedDatabase.Table("public", "big", false, true, done < 1000 ? "d" : "r", 10L, 0L,
                        List.of(), 1000L, Optional.of(new ObservedDatabase.TableSyncProgress(done, 1))),
                        new ObservedDatabase.Table("public", "small", false, true, "r", 10L, 10L, List.of(), 1000L,
                                Optional.empty())), false, Optional.empty());
        return new DatabaseStatus(observed, List.of(), Readiness.notReady("copying"), Plan.of(Phase.COPYING,
                "copying"), Optional.empty());
    }

    private void tick(long done, long lag) {
        trends.record(new MappingStatus(SHOP, null, null, List.of(database(done, lag)), clock.instant()));
        clock.move(Duration.ofSeconds(10));
    }

    @Test
    void theCopysTimeLeftComesFromItsRateOverTheLastMinutes() {
        tick(0, 100);
        assertThat(trends.trend("shop").copyPercent()).as("the small table is synchronized").isEqualTo(50);
        assertThat(trends.trend("shop").copySecondsLeft()).as("no rate from one point").isNull();
        tick(100, 200);
        tick(200, 300);
        MappingTrends.Trend trend = trends.trend("shop");
        assertThat(trend.copyPercent()).as("1200 of 2000 bytes").isEqualTo(60);
        assertThat(trend.copyTotal()).isEqualTo(2000);
        assertThat(trend.copySecondsLeft()).as("800 bytes left at 10 bytes/s").isEqualTo(80);
        assertThat(trend.lagPoints().split(" ")).hasSize(3);
        assertThat(trend.lagMaxBytes()).isEqualTo(300);
        tick(1000, 300);
        assertThat(trends.trend("shop").copyPercent()).as("nothing left to copy").isNull();
        assertThat(trends.trend("nope")).isEqualTo(MappingTrends.Trend.NONE);
    }

    @Test
    void pointsOlderThanAnHourGo() {
        tick(0, 100);
        clock.move(Duration.ofMinutes(61));
        tick(500, 50);
        tick(600, 50);
        assertThat(trends.trend("shop").lagPoints().split(" ")).hasSize(2);
    }
}
